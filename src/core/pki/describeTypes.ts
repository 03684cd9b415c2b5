import { X509Certificate } from 'node:crypto';
import { Usage } from '../cockroach/layout';
import { ExpiryStatus, ExpiryThresholds } from '../cockroach/expiry';
import { BasicConstraints, GeneralName, PublicKeyInfo } from './x509der';

/** The plain data of a certificate-file description (describe.ts), shared by its decoding, meaning and text parts. */

export interface DescribeInput {
  path: string;
  content: Buffer;
  now: Date;
  /** The file's CockroachDB role; from the file name when absent. */
  usage?: Usage;
  /** The CA file to check signatures against (ca.crt, or ca-client.crt for client certs when it exists). */
  clusterCa?: { path: string; content: Buffer };
  thresholds?: ExpiryThresholds;
}

export interface CertCheck {
  ok: boolean;
  text: string;
}

export interface ChainResult {
  /** False when there was no usable cluster CA file. */
  checked: boolean;
  /** The certificate of the cluster CA file that signed this one (index from 0). */
  signedBy?: { index: number; subject: string; serial: string; notAfter: string };
  text: string;
}

export interface DescribedExtension {
  oid: string;
  name: string;
  critical: boolean;
  /** The value as openssl prints it, one entry per line. */
  lines: string[];
}

export interface DescribedCert {
  /** Position in the file, from 0. */
  index: number;
  version: number;
  /** Lowercase colon hex of the serial's magnitude (the `openssl x509 -text` form for long serials). */
  serial: string;
  /** "Serial Number" as `openssl x509 -text` prints it: decimal and hex when short, else colon hex. */
  serialText: string;
  /** As `openssl x509 -serial` prints it: uppercase hex. */
  serialHex: string;
  signatureAlgorithm: string;
  issuer: string;
  subject: string;
  commonName?: string;
  notBefore: string;
  notAfter: string;
  publicKey: PublicKeyInfo & { summary: string };
  extensions: DescribedExtension[];
  /** openssl names, e.g. "Digital Signature". */
  keyUsage: string[];
  /** openssl names, e.g. "TLS Web Server Authentication"; unknown purposes as OIDs. */
  extKeyUsage: string[];
  extKeyUsageOids: string[];
  basicConstraints?: BasicConstraints;
  subjectKeyId?: string;
  authorityKeyId?: string;
  sans: GeneralName[];
  fingerprintSha256: string;
  isCA: boolean;
  selfSigned: boolean;
  status: ExpiryStatus;
  daysLeft: number;
  statusText: string;
  /** Share of the validity period already past, 0 to 100, one decimal. */
  lifetimeUsedPercent: number;
  checks: CertCheck[];
  chain: ChainResult;
  /** Set when some fields could not be decoded. */
  problem?: string;
}

export interface CertFileDescription {
  text: string;
  path: string;
  usage: Usage;
  /** "Node certificate (node.crt)". */
  role: string;
  /** False when the file could not be read as certificates at all. */
  ok: boolean;
  /**
   * Whether CockroachDB and clients can use it: read, its own certificate signed by the CA file
   * when one was checked, and within its validity. `inspect` exits 1 when not.
   */
  usable: boolean;
  /** What is wrong with the file and how to fix it. */
  problems: string[];
  certs: DescribedCert[];
}

/** One certificate of the file: its DER and Node's view of it. */
export interface Parsed {
  der: Buffer;
  x509: X509Certificate;
}

/** The fields decoded from the certificate itself; the rest of DescribedCert is derived or judged. */
export type DecodedFields = Omit<
  DescribedCert,
  'index' | 'fingerprintSha256' | 'isCA' | 'selfSigned' | 'checks' | 'chain' | 'status' | 'daysLeft' | 'statusText' | 'lifetimeUsedPercent'
>;
