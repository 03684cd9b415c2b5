/**
 * PKCS#10 certificate signing requests shaped as cockroach cert would issue the certificate:
 * Subject O=Cockroach, CN=node or the user; an extensionRequest with keyUsage digitalSignature +
 * keyEncipherment (critical), the EKUs of the role and, for a node, the SANs. An outside CA
 * (easy-rsa --copy-ext, openssl ca -copy_extensions copy, cfssl, Vault, cert-manager) copies or
 * re-derives them; `cert check` then says what it dropped.
 */
import { KeyObject } from 'node:crypto';
import { toPem } from './pem';
import { Asn1, OIDS, cockroachName, extKeyUsage, extension, keyUsage, loadDer, signed, spkiDer, subjectAltName } from './x509write';

export interface CsrTemplate {
  kind: 'node' | 'client';
  commonName: string;
  dns?: string[];
  ip?: string[];
  /** The key pair's private half: it signs the request (RSA or EC P-256). */
  key: KeyObject;
}

/** A PEM `CERTIFICATE REQUEST`, signed with the key it requests a certificate for. */
export async function buildCsr(t: CsrTemplate): Promise<string> {
  const d = await loadDer();
  const exts: Asn1[] = [
    extension(d, OIDS.keyUsage, true, keyUsage(d, false)),
    extension(d, OIDS.extKeyUsage, false, extKeyUsage(d, t.kind === 'node' ? ['serverAuth', 'clientAuth'] : ['clientAuth'])),
  ];
  const dns = t.dns ?? [];
  const ip = t.ip ?? [];
  if (dns.length + ip.length > 0) exts.push(extension(d, OIDS.subjectAltName, false, subjectAltName(d, dns, ip)));
  const info = d.seq([
    d.int(0),
    cockroachName(d, t.commonName),
    d.fromDer(spkiDer(t.key)),
    d.ctx(0, true, [d.seq([d.oid(OIDS.extensionRequest), d.set([d.seq(exts)])])]),
  ]);
  return toPem('CERTIFICATE REQUEST', signed(d, info, t.key));
}
