/**
 * Whether a CA file can be a CockroachDB Cloud cluster's CA, judged offline (lint and
 * test-connection ask here). Cloud CAs have no documented name pattern and the file
 * `crdb-tls cloud ca-cert` writes carries no mark, so "the right CA" means: the file holds a CA
 * certificate that is valid now and is not a self-hosted CockroachDB CA (O=Cockroach,
 * CN=Cockroach CA, what `cockroach cert create-ca` writes). Another Cloud cluster's CA passes:
 * only the connection can tell that one apart.
 */
import { X509Certificate } from 'node:crypto';
import { SELF_HOSTED_CA_SUBJECT } from '../cockroach/cloud';
import { certInfo } from '../pki/certinfo';
import { FileRef } from './files';

export type CloudCaState = 'ok' | 'missing' | 'unusable' | 'not-ca' | 'self-hosted' | 'expired';

export interface CloudCaVerdict {
  state: CloudCaState;
  /** What the file holds instead of a Cloud cluster's CA (for every state but ok and missing), as a phrase. */
  holds?: string;
}

function isSelfHosted(x: X509Certificate): boolean {
  const s = certInfo(x).subject;
  return s.O === SELF_HOSTED_CA_SUBJECT.O && s.CN === SELF_HOSTED_CA_SUBJECT.CN;
}

const name = (x: X509Certificate) => `${certInfo(x).subjectLine}, serial ${certInfo(x).serial}`;

/** The verdict on a (default) CA file for a Cloud host; `now` decides expiry. */
export function judgeCloudCa(ref: FileRef, now: Date): CloudCaVerdict {
  if (ref.error === 'missing') return { state: 'missing' };
  if (ref.error)
    return { state: 'unusable', holds: `nothing the client can use (${ref.error === 'directory' ? 'it is a directory' : (ref.errorDetail ?? 'unreadable')})` };
  if (ref.certs.length === 0)
    return { state: 'unusable', holds: `no certificate${ref.contentProblem ? ` (${ref.contentProblem})` : ref.key ? ' (a private key)' : ''}` };
  const cas = ref.certs.filter((x) => certInfo(x).isCA);
  if (cas.length === 0) return { state: 'not-ca', holds: `no CA certificate (only ${name(ref.certs[0])})` };
  const t = now.getTime();
  const valid = cas.filter((x) => certInfo(x).notAfter.getTime() >= t && certInfo(x).notBefore.getTime() <= t);
  if (valid.some((x) => !isSelfHosted(x))) return { state: 'ok' };
  const own = valid.find(isSelfHosted);
  if (own)
    return {
      state: 'self-hosted',
      holds: `what looks like a self-hosted cluster's CA (${name(own)}: the subject cockroach cert create-ca writes; a subject alone cannot prove it is not this Cloud cluster's CA)`,
    };
  const old = cas[0];
  return {
    state: 'expired',
    holds: `a CA that is not valid now (${name(old)}, valid ${certInfo(old).notBefore.toISOString().slice(0, 10)} to ${certInfo(old).notAfter.toISOString().slice(0, 10)})`,
  };
}
