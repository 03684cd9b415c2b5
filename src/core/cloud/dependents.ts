/**
 * The guard of remove and delete (and of set and rollback when they drop a CA): refuse while a
 * client certificate in a --certs-dir chains only to a CA being dropped; it would stop connecting.
 */
import { X509Certificate } from 'node:crypto';
import { UserError } from '../errors';
import { readInputBytes } from '../input';
import { listCertsDir } from '../certsdir/list';
import { parseCertFile } from '../pki/inspect';
import { issuedBy } from '../pki/chain';
import { certInfo } from '../pki/certinfo';
import { ClusterRef, clusterText } from './api';

export interface DependentCert {
  /** The client certificate file. */
  path: string;
  subject: string;
  /** Fingerprint of the dropped CA that signed it. */
  caFingerprint: string;
}

/** The client certificates of `certsDirs` that a dropped CA signed and no kept CA did. */
export function dependentClientCerts(certsDirs: readonly string[], dropped: readonly X509Certificate[], kept: readonly X509Certificate[]): DependentCert[] {
  if (dropped.length === 0) return [];
  const out: DependentCert[] = [];
  for (const dir of certsDirs) {
    for (const e of listCertsDir(dir)) {
      if (e.usage !== 'Client') continue;
      let leaf: X509Certificate | undefined;
      try {
        const parsed = parseCertFile(readInputBytes(e.certPath), e.certPath);
        leaf = parsed.ok ? parsed.certs[0] : undefined;
      } catch {
        leaf = undefined; // unreadable: cert list reports it; it connects with no CA anyway
      }
      if (!leaf) continue;
      const by = dropped.find((ca) => issuedBy(leaf, ca));
      if (by && !kept.some((ca) => issuedBy(leaf, ca))) out.push({ path: e.certPath, subject: certInfo(leaf).subjectLine, caFingerprint: by.fingerprint256 });
    }
  }
  return out;
}

/** Throws the guard's one-line error listing the certificates, unless none depend on the dropped CAs. */
export function assertNoDependents(cluster: ClusterRef, deps: readonly DependentCert[], action: string): void {
  if (deps.length === 0) return;
  const list = deps
    .slice(0, 10)
    .map((d) => `${d.path} (${d.subject})`)
    .join(', ');
  throw new UserError(
    `refusing to ${action} on cluster ${clusterText(cluster)}: ${deps.length} client certificate${deps.length === 1 ? '' : 's'} chain${deps.length === 1 ? 's' : ''} only to ${
      action.startsWith('delete') ? 'its client CA' : 'the CA being removed'
    } and would stop connecting: ${list}${deps.length > 10 ? ', ...' : ''}; issue them again from a CA that stays (crdb-tls cert create-client), or pass --force.`,
  );
}
