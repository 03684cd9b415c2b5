/**
 * Messages about the local files: key permissions, a key that does not match its certificate,
 * missing or unreadable files.
 * Plain data: ./entry.ts describes the fields, ../template.ts the text templates.
 */
import { LIBPQ_DEFAULT_KEY, LIBPQ_DEFAULT_ROOTCERT } from '../../cockroach/sslmode';
import { CatalogueEntry } from './entry';

export const LOCAL_FILES: readonly CatalogueEntry[] = [
  // ---- local files: key permissions, key/cert mismatch, missing files
  {
    id: 'libpq-key-permissions',
    category: 'key-permissions',
    clients: 'psql/libpq, psycopg',
    pattern: /private key file "([^"]+)" has group or world access/i,
    cause:
      'libpq refuses the private key {1}: other users can read it (it must be at most 0600 when owned by the user running the client, or 0640 when owned by root).',
    fix: 'chmod 600 {1} (and chown it to the user that runs the client).',
  },
  {
    id: 'lib-pq-key-permissions',
    category: 'key-permissions',
    clients: 'lib/pq',
    pattern: /pq: Private key (?:file )?has (?:group or world|world|group) access/i,
    cause: 'lib/pq refuses the private key (sslkey): other users can read it; like libpq it allows at most 0600, or 0640 when owned by root.',
    fix: 'chmod 600 <the sslkey file> (and chown it to the user that runs the client).',
  },
  {
    id: 'cockroach-key-permissions',
    category: 'key-permissions',
    clients: 'cockroach',
    pattern: /key file (\S+) has permissions (\S+), exceeds (\S+)/i,
    cause: 'cockroach refuses the key file {1}: its mode {2} allows more than {3}.',
    fix: 'chmod 600 {1} (or set COCKROACH_SKIP_KEY_PERMISSION_CHECK=true where the file system cannot keep modes, e.g. some Kubernetes secret mounts).',
  },
  {
    id: 'libpq-key-mismatch',
    category: 'key-mismatch',
    clients: 'psql/libpq, psycopg',
    pattern: /certificate does not match private key file "([^"]+)"/i,
    cause: 'the private key {1} does not belong to the client certificate (sslcert).',
    fix: 'point sslkey at the key issued together with the certificate (client.<user>.key next to client.<user>.crt) instead of {1}, or issue both again: crdb-tls cert create-client <user> --certs-dir <certs> --ca-key <ca.key> --overwrite.',
  },
  {
    id: 'go-key-mismatch',
    category: 'key-mismatch',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /tls: private key does not match public key/i,
    cause: "the private key does not belong to the certificate it is loaded with (Go's tls.X509KeyPair compares them).",
    fix: 'pair each .crt with the .key issued with it (client.<user>.crt with client.<user>.key); "crdb-tls inspect <cert> --key <key>" checks a pair; issue both again if the key is lost.',
  },
  {
    id: 'openssl-key-mismatch',
    category: 'key-mismatch',
    clients: 'Node (pg, TypeORM), psql/libpq',
    pattern: /key values mismatch|KEY_VALUES_MISMATCH/i,
    cause: 'OpenSSL refused the key: it does not belong to the certificate it was loaded with ("key values mismatch").',
    fix: 'pair each .crt with the .key issued with it; "crdb-tls inspect <cert> --key <key>" checks a pair; issue both again if the key is lost.',
  },
  {
    id: 'libpq-root-missing',
    category: 'file-missing',
    clients: 'psql/libpq, psycopg',
    pattern: /root certificate file "([^"]+)" does not exist/i,
    cause: `the client verifies the server (sslmode verify-ca or verify-full) but the CA file {1} does not exist; without sslrootcert libpq looks for ${LIBPQ_DEFAULT_ROOTCERT}.`,
    fix: "set sslrootcert to the cluster's ca.crt, or copy the cluster CA to {1}; for CockroachDB Cloud, download the CA certificate from the Connect dialog.",
  },
  {
    id: 'libpq-cert-missing',
    category: 'file-missing',
    clients: 'psql/libpq, psycopg',
    pattern: /could not open certificate file "([^"]+)": (No such file or directory|[^\n]*not exist[^\n]*)/i,
    cause: 'the client certificate file {1} does not exist.',
    fix: "fix the sslcert path (relative paths are relative to the client's working directory), or issue the certificate: crdb-tls cert create-client <user> --certs-dir {1:dir} --ca-key <ca.key>.",
  },
  {
    id: 'libpq-key-missing',
    category: 'file-missing',
    clients: 'psql/libpq, psycopg',
    pattern: /certificate present, but not private key file "([^"]+)"/i,
    cause: `the client certificate was found but its private key {1} was not (without sslkey libpq looks for ${LIBPQ_DEFAULT_KEY}).`,
    fix: 'set sslkey to the key issued with the certificate (client.<user>.key).',
  },
  {
    id: 'go-file-missing',
    category: 'file-missing',
    clients: 'cockroach, pgx, lib/pq',
    // lib/pq stats the key before it opens it (seen live: "stat <key>: no such file or directory").
    pattern: /(?:open|stat) ([^\s:]+): no such file or directory/i,
    cause: 'the file {1} does not exist.',
    fix: 'fix the path (relative paths resolve from the working directory of the program), or create the file: {1:certHint}.',
  },
  {
    id: 'node-file-missing',
    category: 'file-missing',
    clients: 'Node (pg, TypeORM)',
    pattern: /ENOENT: no such file or directory, open '([^']+)'/i,
    cause: 'the file {1} does not exist (pg reads sslrootcert, sslcert and sslkey from disk when it parses the connection string).',
    fix: 'fix the path (relative paths resolve from process.cwd()), or create the file: {1:certHint}.',
  },
  {
    id: 'cockroach-no-certs',
    category: 'file-missing',
    clients: 'cockroach',
    pattern: /no certificates found; does certs dir exist\?|cannot load certificates/i,
    cause: 'cockroach found no certificates in its certs directory (--certs-dir, default ${{HOME}}/.cockroach-certs).',
    fix: 'pass --certs-dir pointing at the folder with ca.crt and client.<user>.crt/.key (or node.crt/node.key), or create them with crdb-tls cert create-ca / create-client; use --insecure only for an insecure cluster.',
  },
  {
    id: 'jdbc-root-missing',
    category: 'file-missing',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /Could not open SSL root certificate file ([^\s]+?)\.?(?:\s|$)/i,
    cause: `pgjdbc cannot open the CA file {1} (without sslrootcert it looks for ${LIBPQ_DEFAULT_ROOTCERT}).`,
    fix: "set sslrootcert to the cluster's ca.crt, or put the cluster CA at {1}.",
  },
  {
    id: 'jdbc-cert-missing',
    category: 'file-missing',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /Could not open SSL certificate file ([^\s]+?)\.?(?:\s|$)/i,
    cause: 'pgjdbc cannot open the client certificate {1}.',
    fix: 'fix sslcert (absolute paths are safest in DBeaver and application servers), or issue the certificate with crdb-tls cert create-client <user>.',
  },
  {
    id: 'jdbc-key-missing',
    category: 'file-missing',
    clients: 'Java (pgjdbc), DBeaver',
    // The same message as an unreadable key; the cause chain says the file is not there (seen live).
    pattern: /Could not read SSL key file ([^\s]+?)\.?(?:\s|$)[\s\S]*?FileNotFoundException: [^\n]*\(No such file or directory\)/i,
    cause: 'pgjdbc cannot open the client key {1}: the file does not exist.',
    fix: 'fix sslkey (the DER PKCS#8 key, client.<user>.key.pk8; crdb-tls connect jdbc derives it from the PEM key), or issue the key with crdb-tls cert create-client <user> --also-generate-pkcs8-key.',
  },
  {
    id: 'jdbc-key-format',
    category: 'other',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /Could not read SSL key file ([^\s]+?)\.?(?:\s|$)/i,
    cause: 'pgjdbc cannot read the key {1}: it needs a DER PKCS#8 key (.pk8), not the PEM key cockroach writes.',
    fix: 'create the PKCS#8 key with crdb-tls cert create-client <user> --also-generate-pkcs8-key (or openssl pkcs8 -topk8 -inform PEM -outform DER -nocrypt -in {1} -out {1:withoutKeySuffix}.key.pk8) and set sslkey to the .pk8 file.',
  },
  {
    id: 'libpq-root-unreadable',
    category: 'other',
    clients: 'psql/libpq, psycopg',
    pattern: /could not read root certificate file "([^"]+)": ([^\n]+)/i,
    cause: 'libpq cannot read {1} as PEM certificates ({2:trim}).',
    fix: 'make {1} the cluster\'s ca.crt in PEM form ("crdb-tls inspect {1}" shows what it holds).',
  },
  {
    id: 'libpq-key-unloadable',
    category: 'other',
    clients: 'psql/libpq, psycopg',
    pattern: /could not load private key file "([^"]+)": ([^\n]+)/i,
    cause: 'libpq cannot load the private key {1} ({2:trim}): it is not an unencrypted PEM key.',
    fix: 'use the PEM key cockroach wrote (client.<user>.key); "crdb-tls inspect {1}" shows what the file holds.',
  },
];
