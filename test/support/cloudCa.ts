import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A CA as a Cloud cluster's could be: not O=Cockroach, CN=Cockroach CA (made with openssl). */
export function cloudLikeCa(dir: string): string {
  const out = join(dir, 'cloud-ca.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'cloud-ca.key'),
      '-out',
      out,
      '-days',
      '365',
      '-subj',
      '/O=Cockroach Labs/CN=Cluster CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'ignore' },
  );
  return out;
}
