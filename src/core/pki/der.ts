/**
 * Kept for compatibility only, and can go: the DER reader is now split into asn1.ts (DER),
 * x509name.ts (Names), x509der.ts (the certificate and its extensions) and x509text.ts
 * (openssl-style text). Import from those instead.
 */
export * from './asn1';
export * from './x509name';
export * from './x509der';
export * from './x509text';
