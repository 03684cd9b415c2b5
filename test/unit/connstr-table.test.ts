import { strict as assert } from 'node:assert';
import { chmodSync, chownSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/core/certsdir/create';
import { findConnStrings } from '../../src/core/connstr/find';
import { LintOptions, lintText } from '../../src/core/connstr/lint';
import { RULES } from '../../src/core/connstr/rules/catalog';
import { Finding, TextEdit } from '../../src/core/connstr/types';
import { CertsFixture, makeCertsDir } from '../support/certs';

const DAY = 86_400_000;
const ALL = Object.keys(RULES);
/** Fixture files belong to this process's user (root in CI). */
const IS_ROOT = process.geteuid?.() === 0;
const OTHER_UID = 4242;

/** Applies non-overlapping edits to a text (the way an editor applies a workspace edit). */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1].end <= sorted[i].start, `edits overlap: ${JSON.stringify(sorted)}`);
  let out = text;
  for (const e of sorted.reverse()) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function editsOf(f: Finding): TextEdit[] {
  const fix = f.fixes.find((x) => x.kind === 'edit' || x.kind === 'password-to-env');
  assert.ok(fix && (fix.kind === 'edit' || fix.kind === 'password-to-env'), `${f.code} offers an edit: ${JSON.stringify(f.fixes)}`);
  return fix.edits;
}

interface Row {
  name: string;
  /** `<token>` stands for a fixture path (see `paths` below). */
  text: string;
  must: string[];
  mustNot: string[];
  opts?: Partial<LintOptions>;
  /** Connection strings the text holds (default 1). */
  conns?: number;
  /** Needs root (chown to another user). */
  rootOnly?: boolean;
}

const GOOD = 'sslmode=verify-full&sslrootcert=<ca>&sslcert=<rootCrt>&sslkey=<rootKey>';
const KV_GOOD = 'sslmode=verify-full sslrootcert=<ca> sslcert=<rootCrt> sslkey=<rootKey>';
const FILE_CODES = ['file-missing', 'file-unreadable', 'file-not-cert', 'file-not-key'];
const CERT_CODES = ['cert-expired', 'cert-expiring', 'cert-not-yet-valid', 'cert-wrong-ca', 'cert-user-mismatch', 'key-mismatch', 'key-permissions'];
const client = (user: string, crt: string, key: string, extra = '') =>
  `postgresql://${user}@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=<ca>&sslcert=<${crt}>&sslkey=<${key}>${extra}`;
const keyPerm = (key: string) => `postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=<ca>&sslcert=<rootCrt>&sslkey=<${key}>`;

const ROWS: Row[] = [
  // --- URLs in the places people keep them --------------------------------------------------
  { name: '.env, all verified', text: `DATABASE_URL=postgresql://root@localhost:26257/defaultdb?${GOOD}\n`, must: [], mustNot: ALL },
  { name: '.env, single-quoted postgres://', text: `DATABASE_URL='postgres://root@localhost:26257/defaultdb?${GOOD}'`, must: [], mustNot: ALL },
  { name: 'YAML, double-quoted', text: `db:\n  url: "postgresql://root@db.internal:26257/app?${GOOD}"\n`, must: [], mustNot: ALL },
  {
    name: 'YAML, unquoted, sslmode=require',
    text: 'db:\n  dsn: postgresql://root@db:26257/app?sslmode=require\n',
    must: ['sslmode-require'],
    mustNot: ['sslmode-missing', 'rootcert-missing', 'password-in-string', 'port-non-default'],
  },
  {
    name: 'JSON with a password',
    text: '{"database": {"url": "postgresql://alice:hunter2@db:26257/app?sslmode=verify-full&sslrootcert=<ca>"}}',
    must: ['password-in-string'],
    mustNot: ['rootcert-missing', 'sslmode-missing', ...FILE_CODES],
  },
  {
    name: 'JSON, one line among others',
    text: '{\n  "name": "web",\n  "url": "postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>",\n  "pool": 5\n}',
    must: [],
    mustNot: ALL,
  },
  {
    name: 'Markdown link, sslmode=disable',
    text: 'See [prod](postgresql://root@db:26257/app?sslmode=disable).',
    must: ['sslmode-disable'],
    mustNot: ['sslmode-missing', 'sslmode-unknown'],
  },
  {
    name: 'Markdown code span, no sslmode',
    text: 'Use `postgresql://root@db:26257/app` to connect.',
    must: ['sslmode-missing'],
    mustNot: ['rootcert-missing', 'port-non-default'],
  },
  {
    name: 'Markdown autolink, sslmode=prefer',
    text: '<postgresql://root@db:26257/app?sslmode=prefer>',
    must: ['sslmode-prefer'],
    mustNot: ['sslmode-missing', 'sslmode-unknown'],
  },
  { name: 'shell, psql, sslmode=allow', text: 'psql "postgresql://root@db:26257/app?sslmode=allow"', must: ['sslmode-allow'], mustNot: ['sslmode-missing'] },
  {
    name: 'shell export, verify-ca',
    text: 'export DATABASE_URL="postgresql://root@db:26257/app?sslmode=verify-ca&sslrootcert=<ca>"',
    must: ['sslmode-verify-ca'],
    mustNot: ['rootcert-missing', ...FILE_CODES],
  },
  {
    name: 'Python, verify-full without sslrootcert',
    text: 'conn = psycopg.connect("postgresql://root@localhost:26257/defaultdb?sslmode=verify-full")',
    must: ['rootcert-missing'],
    mustNot: ['sslmode-missing', 'sslmode-require'],
  },
  {
    name: 'Go, sslmode=verify_full (unknown)',
    text: 'db, err := sql.Open("pgx", "postgres://root@localhost:26257/defaultdb?sslmode=verify_full&sslrootcert=<ca>")',
    must: ['sslmode-unknown'],
    mustNot: ['sslmode-missing', 'rootcert-missing'],
  },
  {
    name: 'sslmode=VERIFY-FULL (case matters)',
    text: 'postgresql://root@db:26257/app?sslmode=VERIFY-FULL&sslrootcert=<ca>',
    must: ['sslmode-unknown'],
    mustNot: ['sslmode-missing'],
  },
  {
    name: 'JS template literal with a placeholder user',
    text: 'const url = `postgresql://${user}@localhost:26257/db?sslmode=verify-full&sslrootcert=<ca>`;',
    must: [],
    mustNot: ALL,
  },
  {
    name: 'several hosts, one on another port',
    text: 'postgresql://root@n1:26257,n2:26258,n3/db?sslmode=verify-full&sslrootcert=<ca>',
    must: ['port-non-default'],
    mustNot: ['rootcert-missing', 'sslmode-missing'],
  },
  { name: 'IPv6 host', text: 'postgresql://root@[::1]:26257/db?sslmode=verify-full&sslrootcert=<ca>', must: [], mustNot: ALL },
  {
    name: 'PostgreSQL port 5432',
    text: 'postgresql://root@db:5432/app?sslmode=verify-full&sslrootcert=<ca>',
    must: ['port-non-default'],
    mustNot: ['rootcert-missing'],
  },
  { name: 'no port: the default', text: 'postgresql://root@db/app?sslmode=verify-full&sslrootcert=<ca>', must: [], mustNot: ALL },
  {
    name: 'password in the userinfo',
    text: 'postgresql://alice:s3cret@db:26257/app?sslmode=verify-full&sslrootcert=<ca>',
    must: ['password-in-string'],
    mustNot: ['rootcert-missing'],
  },
  {
    name: 'password as a URL query parameter',
    text: 'postgresql://alice@db:26257/app?password=s3cret&sslmode=verify-full&sslrootcert=<ca>',
    must: ['password-in-string'],
    mustNot: ['param-typo'],
  },
  {
    name: 'password from the environment (${VAR})',
    text: 'postgresql://alice:${DB_PASSWORD}@db:26257/app?sslmode=verify-full&sslrootcert=<ca>',
    must: [],
    mustNot: ['password-in-string'],
  },
  {
    name: 'password templated ({{ }})',
    text: 'postgresql://alice:{{.Password}}@db:26257/app?sslmode=verify-full&sslrootcert=<ca>',
    must: [],
    mustNot: ['password-in-string'],
    conns: 1,
  },
  {
    name: 'options=--cluster= (percent-encoded)',
    text: 'postgresql://alice@free-tier.gcp-us-central1.cockroachlabs.cloud:26257/defaultdb?options=--cluster%3Dmy-cluster-123&sslmode=verify-full&sslrootcert=<ca>',
    must: ['cluster-option-deprecated'],
    mustNot: ['param-typo', 'param-encoding'],
  },
  {
    name: 'two strings in one YAML file',
    text: 'primary: "postgresql://root@a:26257/db?sslmode=disable"\nreplica: "postgresql://root@b:26257/db?sslmode=require"\n',
    must: ['sslmode-disable', 'sslmode-require'],
    mustNot: ['sslmode-missing'],
    conns: 2,
  },

  // --- certificates and keys -----------------------------------------------------------------
  {
    name: 'client cert expired',
    text: client('expired', 'expiredCrt', 'expiredKey'),
    must: ['cert-expired'],
    mustNot: ['cert-expiring', 'cert-user-mismatch', 'key-mismatch', 'cert-wrong-ca', ...FILE_CODES],
  },
  {
    name: 'client cert expires in 59 days',
    text: client('soon', 'soonCrt', 'soonKey'),
    must: ['cert-expiring'],
    mustNot: ['cert-expired', 'cert-user-mismatch', 'key-mismatch', 'cert-wrong-ca'],
  },
  {
    name: 'client cert expires in 10 days',
    text: client('urgent', 'urgentCrt', 'urgentKey'),
    must: ['cert-expiring'],
    mustNot: ['cert-expired', 'cert-user-mismatch', 'key-mismatch', 'cert-wrong-ca'],
  },
  {
    name: 'client cert not valid yet',
    text: client('future', 'futureCrt', 'futureKey'),
    must: ['cert-not-yet-valid'],
    mustNot: ['cert-expired', 'cert-expiring', 'cert-user-mismatch', 'key-mismatch', 'cert-wrong-ca'],
  },
  {
    name: 'client cert from another CA',
    text: client('root', 'otherRootCrt', 'otherRootKey'),
    must: ['cert-wrong-ca'],
    mustNot: ['key-mismatch', 'cert-user-mismatch', 'cert-expired', ...FILE_CODES],
  },
  {
    name: 'key of another cert',
    text: client('root', 'rootCrt', 'aliceKey'),
    must: ['key-mismatch'],
    mustNot: ['cert-wrong-ca', 'cert-user-mismatch', ...FILE_CODES],
  },
  { name: 'CN is not the URL user', text: client('bob', 'rootCrt', 'rootKey'), must: ['cert-user-mismatch'], mustNot: ['key-mismatch', 'cert-wrong-ca'] },
  { name: 'user in capitals: CockroachDB case-folds it', text: client('Root', 'rootCrt', 'rootKey'), must: [], mustNot: ALL },
  { name: 'percent-encoded user', text: client('%61lice', 'aliceCrt', 'aliceKey'), must: [], mustNot: ALL },
  {
    name: 'user given as a URL parameter',
    text: 'postgresql://localhost:26257/defaultdb?user=bob&sslmode=verify-full&sslrootcert=<ca>&sslcert=<aliceCrt>&sslkey=<aliceKey>',
    must: ['cert-user-mismatch'],
    mustNot: ['key-mismatch'],
  },
  {
    name: 'node cert as a client cert for root',
    text: client('root', 'nodeCrt', 'nodeKey'),
    must: ['cert-user-mismatch'],
    mustNot: ['key-mismatch', 'cert-wrong-ca', 'cert-no-client-auth'],
  },
  {
    name: 'leaf cert as sslrootcert',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<nodeCrt>',
    must: ['rootcert-not-ca'],
    mustNot: ['rootcert-missing', ...FILE_CODES],
  },
  {
    name: 'key file as sslcert',
    text: client('root', 'rootKey', 'rootKey'),
    must: ['file-not-cert'],
    mustNot: ['key-mismatch', 'file-not-key', 'file-missing'],
  },
  { name: 'cert file as sslkey', text: client('root', 'rootCrt', 'rootCrt'), must: ['file-not-key'], mustNot: ['key-mismatch', 'file-not-cert'] },
  {
    name: 'missing sslrootcert file',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<missing>',
    must: ['file-missing'],
    mustNot: ['rootcert-missing', 'rootcert-not-ca'],
  },
  {
    name: 'directory as sslrootcert',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<dir>',
    must: ['file-missing'],
    mustNot: ['rootcert-not-ca', 'file-not-cert'],
  },
  {
    name: 'empty sslrootcert with verify-full',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=',
    must: ['rootcert-missing'],
    mustNot: FILE_CODES,
  },
  {
    name: 'sslrootcert=system',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=system',
    must: [],
    mustNot: ['rootcert-missing', ...FILE_CODES],
  },
  {
    name: 'sslcert without sslkey',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>&sslcert=<rootCrt>',
    must: ['sslcert-without-sslkey'],
    mustNot: ['sslkey-without-sslcert', 'key-mismatch'],
  },
  {
    name: 'sslkey without sslcert',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>&sslkey=<rootKey>',
    must: ['sslkey-without-sslcert'],
    mustNot: ['sslcert-without-sslkey', 'key-mismatch'],
  },
  {
    name: 'CA expires within a year',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<caSoon>',
    must: ['cert-expiring'],
    mustNot: ['cert-expired', 'rootcert-not-ca'],
  },
  {
    name: 'CA expired',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<caExpired>',
    must: ['cert-expired'],
    mustNot: ['cert-expiring', 'rootcert-not-ca'],
  },
  {
    name: 'cluster with a client CA (ca-client.crt next to ca.crt)',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ccCa>&sslcert=<ccRootCrt>&sslkey=<ccRootKey>',
    must: [],
    mustNot: ALL,
  },
  {
    name: 'cluster with a client CA, cert from the server CA',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ccCa>&sslcert=<rootCrt>&sslkey=<rootKey>',
    must: ['cert-wrong-ca'],
    mustNot: ['key-mismatch'],
  },

  // --- key permissions (libpq: owner root → at most 0640, anyone else → at most 0600; the client's uid does not matter)
  { name: 'key 0644', text: keyPerm('key644'), must: ['key-permissions'], mustNot: ['key-mismatch'] },
  { name: 'key 0600', text: keyPerm('key600'), must: [], mustNot: ALL },
  { name: 'key 0700 (owner bits are not checked)', text: keyPerm('key700'), must: [], mustNot: ['key-permissions'] },
  { name: 'key 0640 owned by a user', text: keyPerm('keyUser640'), must: ['key-permissions'], mustNot: [] },
  { name: 'key 0644 owned by another user, client root', text: keyPerm('keyUser644'), must: ['key-permissions'], mustNot: [], opts: { uid: 0 } },
  { name: 'key 0640 owned by root, client root', text: keyPerm('key640'), must: [], mustNot: ['key-permissions'], opts: { uid: 0 }, rootOnly: true },
  {
    name: 'key 0640 owned by root, client another user',
    text: keyPerm('key640'),
    must: [],
    mustNot: ['key-permissions'],
    opts: { uid: OTHER_UID },
    rootOnly: true,
  },
  { name: 'key 0660 owned by root (group may write)', text: keyPerm('key660'), must: ['key-permissions'], mustNot: [], rootOnly: true },

  // --- paths -----------------------------------------------------------------------------------
  {
    name: 'percent-encoded space in the paths',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<spaceCaEnc>&sslcert=<spaceCrtEnc>&sslkey=<spaceKeyEnc>',
    must: [],
    mustNot: ALL,
  },
  { name: 'fully percent-encoded path', text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<caEncAll>', must: [], mustNot: ALL },
  {
    name: 'broken percent-encoding',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=%zz.crt',
    must: ['param-encoding'],
    mustNot: ['param-typo'],
  },
  {
    name: 'relative to the document',
    text: `postgresql://root@db:26257/app?${GOOD.replace(/<(\w+)>/g, '../certs/<$1Name>')}`,
    must: [],
    mustNot: ALL,
    opts: { docPath: '<root>/app/config.env' },
  },
  {
    name: 'relative to a workspace folder',
    text: `postgresql://root@db:26257/app?${GOOD.replace(/<(\w+)>/g, 'certs/<$1Name>')}`,
    must: [],
    mustNot: ALL,
    opts: { docPath: '<root>/deep/nested/values.yaml', workspaceFolders: ['<elsewhere>', '<root>'] },
  },
  {
    name: 'relative, found nowhere',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=certs/ca.crt',
    must: ['file-missing'],
    mustNot: ['rootcert-not-ca'],
    opts: { docPath: '<root>/app/config.env', workspaceFolders: ['<elsewhere>'] },
  },

  // --- parameters ------------------------------------------------------------------------------
  {
    name: 'duplicate sslmode: the last one wins',
    text: 'postgresql://root@db:26257/app?sslmode=disable&sslmode=verify-full&sslrootcert=<ca>',
    must: ['param-duplicate'],
    mustNot: ['sslmode-disable', 'rootcert-missing'],
  },
  {
    name: 'duplicate sslmode: disable wins',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>&sslmode=disable',
    must: ['param-duplicate', 'sslmode-disable'],
    mustNot: ['rootcert-missing'],
  },
  {
    name: 'same parameter twice with the same value',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslmode=verify-full&sslrootcert=<ca>',
    must: [],
    mustNot: ['param-duplicate'],
  },
  {
    name: 'typo sslroot=',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslroot=<ca>',
    must: ['param-typo', 'rootcert-missing'],
    mustNot: FILE_CODES,
  },
  {
    name: 'typo ssl_mode=',
    text: 'postgresql://root@db:26257/app?ssl_mode=verify-full&sslrootcert=<ca>',
    must: ['param-typo', 'sslmode-missing'],
    mustNot: ['sslmode-unknown'],
  },
  {
    name: 'typo sslRootCert=',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslRootCert=<ca>',
    must: ['param-typo', 'rootcert-missing'],
    mustNot: [],
  },
  {
    name: 'near miss sslrootcet= (edit distance)',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcet=<ca>',
    must: ['param-typo'],
    mustNot: [],
  },
  {
    name: 'parameters named like Object members',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>&constructor=1&__proto__=2&toString=3',
    must: [],
    mustNot: ALL,
  },
  {
    name: 'unknown non-ssl parameter is left alone',
    text: 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>&application_name=web&statement_timeout=5s',
    must: [],
    mustNot: ALL,
  },

  // --- JDBC ------------------------------------------------------------------------------------
  {
    name: 'JDBC with the PEM key',
    text: 'jdbc:postgresql://localhost:26257/defaultdb?user=alice&sslmode=verify-full&sslrootcert=<ca>&sslcert=<aliceCrt>&sslkey=<aliceKey>',
    must: ['jdbc-key-format'],
    mustNot: ['key-mismatch', 'cert-user-mismatch', 'password-in-string'],
  },
  {
    name: 'JDBC with the .pk8 key',
    text: 'jdbc:postgresql://localhost:26257/defaultdb?user=alice&sslmode=verify-full&sslrootcert=<ca>&sslcert=<aliceCrt>&sslkey=<alicePk8>',
    must: [],
    mustNot: ALL,
  },
  {
    name: 'JDBC ssl=true (verify-full in pgjdbc) without sslrootcert',
    text: 'jdbc:postgresql://localhost:26257/defaultdb?ssl=true',
    must: ['rootcert-missing'],
    mustNot: ['sslmode-missing'],
  },
  { name: 'JDBC without any ssl parameter', text: 'jdbc:postgresql://localhost:26257/defaultdb', must: ['sslmode-missing'], mustNot: ['rootcert-missing'] },
  {
    name: 'JDBC password parameter',
    text: 'jdbc:postgresql://db:26257/app?user=alice&password=s3cret&sslmode=verify-full&sslrootcert=<ca>',
    must: ['password-in-string'],
    mustNot: ['rootcert-missing'],
  },
  {
    name: 'JDBC in Java code, require',
    text: 'Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:26257/db?user=alice&sslmode=require");',
    must: ['sslmode-require'],
    mustNot: ['sslmode-missing', 'password-in-string'],
  },
  {
    name: 'JDBC in a properties file, wrong user',
    text: 'spring.datasource.url=jdbc:postgresql://db:26257/app?sslmode=verify-full&sslrootcert=<ca>&user=bob&sslcert=<aliceCrt>&sslkey=<alicePk8>',
    must: ['cert-user-mismatch'],
    mustNot: ['jdbc-key-format', 'key-mismatch'],
  },
  {
    name: 'JDBC .pk8 of another key',
    text: 'jdbc:postgresql://db:26257/app?user=root&sslmode=verify-full&sslrootcert=<ca>&sslcert=<rootCrt>&sslkey=<alicePk8>',
    must: ['key-mismatch'],
    mustNot: ['jdbc-key-format'],
  },

  // --- key=value (libpq) -----------------------------------------------------------------------
  { name: 'key/value, all verified', text: `host=localhost port=26257 user=root dbname=defaultdb ${KV_GOOD}`, must: [], mustNot: ALL },
  {
    name: 'key/value in Python code, require',
    text: 'psycopg2.connect("host=db port=26257 user=root sslmode=require")',
    must: ['sslmode-require'],
    mustNot: ['sslmode-missing', 'port-non-default'],
  },
  {
    name: 'key/value, password',
    text: "host=db user=alice password='s3cret pw' sslmode=verify-full sslrootcert=<ca>",
    must: ['password-in-string'],
    mustNot: ['param-encoding'],
  },
  { name: 'key/value, port 5432', text: 'host=db port=5432 sslmode=verify-full sslrootcert=<ca>', must: ['port-non-default'], mustNot: ['rootcert-missing'] },
  {
    name: 'key/value, quoted path with a space',
    text: "host=db sslmode=verify-full sslrootcert='<spaceCa>' sslcert='<spaceCrt>' sslkey='<spaceKey>' user=root",
    must: [],
    mustNot: ALL,
  },
  { name: 'key/value, typo', text: 'host=db sslmode=verify-full sslrootcrt=<ca>', must: ['param-typo', 'rootcert-missing'], mustNot: [] },
  {
    name: 'key/value, options=--cluster=',
    text: "host=free-tier.gcp-us-central1.cockroachlabs.cloud port=26257 options='--cluster=my-cluster-123' sslmode=verify-full sslrootcert=<ca>",
    must: ['cluster-option-deprecated'],
    mustNot: ['param-encoding', 'port-non-default'],
  },
  {
    name: 'key/value, unterminated quote',
    text: "host=db sslmode=verify-full sslrootcert='<ca>",
    must: ['param-encoding'],
    mustNot: ['param-typo', 'rootcert-missing'],
  },
  { name: 'key/value without host/dbname is not a connection string', text: 'sslmode=require user=root', must: [], mustNot: ALL, conns: 0 },
  {
    name: 'key/value inside shell single quotes',
    text: "export PGDSN='host=db port=26257 user=root sslmode=require'",
    must: ['sslmode-require'],
    mustNot: ['sslmode-missing', 'param-encoding'],
  },
  {
    name: 'key/value, quoted password holding key=value',
    text: "host=db user=root password='a=b c' sslmode=verify-full sslrootcert=<ca>",
    must: ['password-in-string'],
    mustNot: ['param-typo', 'param-encoding', 'rootcert-missing'],
  },
  { name: 'key/value, no sslmode', text: 'export PGDSN="host=db dbname=app user=root"', must: ['sslmode-missing'], mustNot: ['rootcert-missing'] },

  // --- cockroach CLI ---------------------------------------------------------------------------
  {
    name: 'cockroach sql --url: verify-full by default',
    text: 'cockroach sql --url "postgresql://root@localhost:26257/defaultdb?sslrootcert=<ca>&sslcert=<rootCrt>&sslkey=<rootKey>"',
    must: [],
    mustNot: ALL,
  },
  {
    name: 'cockroach sql --url=, sslmode=require still flagged',
    text: "cockroach sql --url='postgresql://root@localhost:26257/defaultdb?sslmode=require'",
    must: ['sslmode-require'],
    mustNot: ['sslmode-missing'],
  },
  {
    name: 'cockroach workload with --url and no sslmode',
    text: 'cockroach workload init movr --url postgresql://root@localhost:26257',
    must: [],
    mustNot: ['sslmode-missing'],
  },
  {
    name: 'psql: libpq defaults to prefer',
    text: 'psql "postgresql://root@localhost:26257/defaultdb?sslrootcert=<ca>&sslcert=<rootCrt>&sslkey=<rootKey>"',
    must: ['sslmode-missing'],
    mustNot: ['rootcert-missing', ...CERT_CODES],
  },
];

describe('connection string lint: a table of real-world strings against real certificates', function () {
  this.timeout(60_000);
  const paths: Record<string, string> = {};
  const sub = (s: string) => s.replace(/<(\w+)>/g, (m, k: string) => paths[k] ?? m);
  let fx: CertsFixture;

  before(async () => {
    const now = Date.now();
    fx = await makeCertsDir({ users: ['root', 'alice'], pkcs8: true });
    const d = fx.certsDir;
    const issue = (user: string, at: number, lifetimeMs: number) => createClient({ certsDir: d, caKey: fx.caKey, user, now: new Date(at), lifetimeMs });
    await issue('expired', now - 40 * DAY, 37 * DAY);
    await issue('soon', now - DAY, 60 * DAY);
    await issue('urgent', now, 10 * DAY);
    await issue('future', now + 10 * DAY, 30 * DAY);
    const [other, caSoon, caExpired, cc] = await Promise.all([
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ caLifetimeMs: 200 * DAY, lifetimeMs: 100 * DAY }),
      makeCertsDir({ now: new Date(now - 400 * DAY), caLifetimeMs: 300 * DAY, lifetimeMs: 200 * DAY }),
      makeCertsDir({ clientCa: true }),
    ]);
    const keys = join(fx.root, 'keys');
    mkdirSync(keys);
    // Owned by this process's user (root in CI), except keyUser*: chowned to another user when we can.
    for (const [name, mode] of [
      ['key644', 0o644],
      ['key640', 0o640],
      ['key660', 0o660],
      ['key700', 0o700],
      ['key600', 0o600],
      ['keyUser640', 0o640],
      ['keyUser644', 0o644],
    ] as const) {
      paths[name] = join(keys, `${name}.key`);
      copyFileSync(join(d, 'client.root.key'), paths[name]);
      chmodSync(paths[name], mode);
      if (IS_ROOT && name.startsWith('keyUser')) chownSync(paths[name], OTHER_UID, OTHER_UID);
    }
    const space = join(fx.root, 'my certs');
    mkdirSync(space);
    for (const f of ['ca.crt', 'client.root.crt', 'client.root.key']) copyFileSync(join(d, f), join(space, f));
    chmodSync(join(space, 'client.root.key'), 0o600);
    Object.assign(paths, {
      root: fx.root,
      dir: d,
      elsewhere: join(fx.root, 'elsewhere'),
      ca: join(d, 'ca.crt'),
      caName: 'ca.crt',
      rootCrtName: 'client.root.crt',
      rootKeyName: 'client.root.key',
      rootCrt: join(d, 'client.root.crt'),
      rootKey: join(d, 'client.root.key'),
      aliceCrt: join(d, 'client.alice.crt'),
      aliceKey: join(d, 'client.alice.key'),
      alicePk8: join(d, 'client.alice.key.pk8'),
      nodeCrt: join(d, 'node.crt'),
      nodeKey: join(d, 'node.key'),
      expiredCrt: join(d, 'client.expired.crt'),
      expiredKey: join(d, 'client.expired.key'),
      soonCrt: join(d, 'client.soon.crt'),
      soonKey: join(d, 'client.soon.key'),
      urgentCrt: join(d, 'client.urgent.crt'),
      urgentKey: join(d, 'client.urgent.key'),
      futureCrt: join(d, 'client.future.crt'),
      futureKey: join(d, 'client.future.key'),
      otherRootCrt: join(other.certsDir, 'client.root.crt'),
      otherRootKey: join(other.certsDir, 'client.root.key'),
      caSoon: join(caSoon.certsDir, 'ca.crt'),
      caExpired: join(caExpired.certsDir, 'ca.crt'),
      ccCa: join(cc.certsDir, 'ca.crt'),
      ccRootCrt: join(cc.certsDir, 'client.root.crt'),
      ccRootKey: join(cc.certsDir, 'client.root.key'),
      missing: join(d, 'nope.crt'),
      spaceCa: join(space, 'ca.crt'),
      spaceCrt: join(space, 'client.root.crt'),
      spaceKey: join(space, 'client.root.key'),
      spaceCaEnc: join(space, 'ca.crt').replace(/ /g, '%20'),
      spaceCrtEnc: join(space, 'client.root.crt').replace(/ /g, '%20'),
      spaceKeyEnc: join(space, 'client.root.key').replace(/ /g, '%20'),
      caEncAll: encodeURIComponent(join(d, 'ca.crt')),
    });
  });

  /** Lints a table text with its options, tokens replaced; uid defaults to this process's. */
  function lint(text: string, opts: Partial<LintOptions> = {}) {
    const o: LintOptions = { ...opts };
    if (o.docPath) o.docPath = sub(o.docPath);
    if (o.workspaceFolders) o.workspaceFolders = o.workspaceFolders.map(sub);
    const t = sub(text);
    const results = lintText(t, o);
    return { text: t, results, findings: results.flatMap((r) => r.findings) };
  }

  it(`has at least 60 rows, with known codes only (${ROWS.length} rows)`, () => {
    assert.ok(ROWS.length >= 60, String(ROWS.length));
    for (const r of ROWS) for (const c of [...r.must, ...r.mustNot]) assert.ok(RULES[c], `${r.name}: unknown code ${c}`);
    assert.equal(new Set(ROWS.map((r) => r.name)).size, ROWS.length, 'row names are unique');
  });

  // Rows about root-owned files only mean something when the tests run as root (as CI does).
  for (const row of ROWS.filter((r) => !r.rootOnly || IS_ROOT)) {
    it(row.name, function () {
      const { text, results, findings } = lint(row.text, row.opts);
      assert.equal(results.length, row.conns ?? 1, `connection strings in ${text}: ${JSON.stringify(results.map((r) => r.conn.raw))}`);
      const codes = findings.map((f) => f.code);
      const show = () => `\n  text: ${text}\n  got: ${findings.map((f) => `${f.code}: ${f.message}`).join('\n       ')}`;
      for (const c of row.must) assert.ok(codes.includes(c), `must produce ${c}${show()}`);
      for (const c of row.mustNot.filter((x) => !row.must.includes(x))) assert.ok(!codes.includes(c), `must not produce ${c}${show()}`);
      for (const f of findings) {
        assert.ok(f.range.start >= 0 && f.range.start <= f.range.end && f.range.end <= text.length, `${f.code} range inside the text`);
        assert.equal(f.docs, RULES[f.code].docs);
      }
    });
  }

  it('every edit fix in the table removes (one of) the findings it was offered for', () => {
    let tried = 0;
    for (const row of ROWS) {
      if (row.rootOnly && !IS_ROOT) continue;
      const { text, findings } = lint(row.text, row.opts);
      for (const f of findings) {
        const fix = f.fixes.find((x) => x.kind === 'edit' || x.kind === 'password-to-env');
        if (!fix || !(fix.kind === 'edit' || fix.kind === 'password-to-env')) continue;
        const fixed = applyEdits(text, fix.edits);
        const after = lint(fixed, row.opts).findings.filter((x) => x.code === f.code).length;
        assert.ok(after < findings.filter((x) => x.code === f.code).length, `${row.name}: "${fix.title}" leaves ${f.code} in ${fixed}`);
        tried++;
      }
    }
    assert.ok(tried >= 30, `fixes tried: ${tried}`);
  });

  describe('ranges and severities', () => {
    const one = (text: string, code: string, opts: Partial<LintOptions> = {}) => {
      const r = lint(text, opts);
      const f = r.findings.filter((x) => x.code === code);
      assert.equal(f.length, 1, `one ${code} in ${r.text}: ${JSON.stringify(r.findings.map((x) => x.code))}`);
      return { f: f[0], text: r.text, at: r.text.slice(f[0].range.start, f[0].range.end) };
    };

    it('points at the parameter, the value or the whole string', () => {
      assert.equal(one('dsn: postgresql://root@db:26257/app?sslmode=require', 'sslmode-require').at, 'sslmode=require');
      assert.equal(one('{"url": "postgresql://alice:hunter2@db:26257/app?sslmode=verify-full&sslrootcert=<ca>"}', 'password-in-string').at, 'hunter2');
      assert.equal(one('postgresql://root@n1:26257,n2:26258,n3/db?sslmode=verify-full&sslrootcert=<ca>', 'port-non-default').at, 'n2:26258');
      assert.equal(one('postgresql://root@db:26257/app?sslmode=verify-full&sslroot=<ca>', 'param-typo').at, 'sslroot');
      assert.equal(one('postgres://root@db/app?sslmode=verify_full', 'sslmode-unknown').at, 'verify_full');
      assert.equal(one('See [prod](postgresql://root@db:26257/app).', 'sslmode-missing').at, 'postgresql://root@db:26257/app');
      assert.equal(one('x = "host=db port=26257 user=root" # dsn', 'sslmode-missing').at, 'host=db port=26257 user=root');
      assert.equal(one('postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=certs/ca.crt', 'file-missing').at, 'certs/ca.crt');
      assert.equal(one('host=db port=5432 sslmode=verify-full sslrootcert=<ca>', 'port-non-default').at, 'port=5432');
      assert.equal(one("host=db sslmode=verify-full sslrootcert='<missing>'", 'file-missing').at, `'${paths.missing}'`);
      assert.equal(one('postgresql://root@db:26257/app?sslmode=disable&sslmode=verify-full&sslrootcert=<ca>', 'param-duplicate').at, 'sslmode=disable');
      const expired = one(client('expired', 'expiredCrt', 'expiredKey'), 'cert-expired');
      assert.equal(expired.at, paths.expiredCrt);
      assert.match(expired.f.message, /expired on \d{4}-\d{2}-\d{2} \(3 d ago\)/);
      assert.equal(one(client('%61lice', 'aliceCrt', 'rootKey'), 'key-mismatch').at, paths.rootKey);
    });

    it('uses the catalogue severities, and error for a leaf within leafErrorDays', () => {
      assert.equal(one('postgresql://db:26257/app?sslmode=disable', 'sslmode-disable').f.severity, 'error');
      assert.equal(one('postgresql://db:26257/app?sslmode=verify-ca&sslrootcert=<ca>', 'sslmode-verify-ca').f.severity, 'info');
      assert.equal(one('postgresql://db:5432/app?sslmode=verify-full&sslrootcert=<ca>', 'port-non-default').f.severity, 'info');
      assert.equal(one('postgresql://db:26257/app', 'sslmode-missing').f.severity, 'warning');
      const soon = one(client('soon', 'soonCrt', 'soonKey'), 'cert-expiring').f;
      assert.equal(soon.severity, 'warning');
      assert.match(soon.message, /expires in 5[89] d .*schedule its rotation/);
      // Over 90 days the message reads in years and months, as the tree does.
      const far = one(client('soon', 'soonCrt', 'soonKey'), 'cert-expiring', {
        thresholds: { caWarningDays: 365, leafWarningDays: 100000, leafErrorDays: 30 },
      }).f;
      assert.match(far.message, /expires in 5[89] d /);
      const ca = one(client('alice', 'aliceCrt', 'aliceKey'), 'cert-expiring', {
        thresholds: { caWarningDays: 100000, leafWarningDays: 90, leafErrorDays: 30 },
      });
      assert.match(ca.f.message, /^The CA certificate in sslrootcert expires in \d+ y( \d+ mo)? \(\d{4}-\d{2}-\d{2}\)/);
      const urgent = one(client('urgent', 'urgentCrt', 'urgentKey'), 'cert-expiring').f;
      assert.equal(urgent.severity, 'error');
      assert.match(urgent.message, /expires in [89] d .*rotate it now/);
      assert.equal(one('postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<caSoon>', 'cert-expiring').f.severity, 'warning');
      const perm = one(keyPerm('key644'), 'key-permissions').f;
      assert.equal(perm.severity, 'error');
      assert.match(
        perm.message,
        IS_ROOT
          ? /\(mode 0644\); libpq refuses it and allows at most u=rw,g=r \(0640\) for a key owned by root: run "chmod 600 /
          : /\(mode 0644\); libpq refuses it and allows at most u=rw \(0600\): run "chmod 600 /,
      );
    });

    it('honours thresholds and the clock it is given', () => {
      const t = { caWarningDays: 100, leafWarningDays: 30, leafErrorDays: 7 };
      assert.ok(!lint(client('soon', 'soonCrt', 'soonKey'), { thresholds: t }).findings.some((f) => f.code === 'cert-expiring'));
      assert.equal(one(client('urgent', 'urgentCrt', 'urgentKey'), 'cert-expiring', { thresholds: t }).f.severity, 'warning');
      assert.ok(!lint('postgresql://db:26257/app?sslmode=verify-full&sslrootcert=<caSoon>', { thresholds: t }).findings.length);
      const later = new Date(Date.now() + 70 * DAY);
      assert.ok(one(client('soon', 'soonCrt', 'soonKey'), 'cert-expired', { now: later }).f.message.includes('d ago'));
      const codes = lint(client('future', 'futureCrt', 'futureKey'), { now: new Date(Date.now() + 12 * DAY) }).findings.map((f) => f.code);
      assert.deepEqual(codes, ['cert-expiring'], 'valid from day 9, 28 days left on day 12');
    });
  });

  describe('rule settings', () => {
    const text = 'postgresql://alice:pw@db:5432/app?sslmode=require';
    it('drops disabled rules and keeps the others', () => {
      const all = lint(text)
        .findings.map((f) => f.code)
        .sort();
      assert.deepEqual(all, ['password-in-string', 'port-non-default', 'sslmode-require']);
      const some = lint(text, { disabled: new Set(['port-non-default', 'password-in-string']) }).findings.map((f) => f.code);
      assert.deepEqual(some, ['sslmode-require']);
    });
    it('overrides severities per code, leaving the rest alone', () => {
      const f = lint(text, { severities: { 'port-non-default': 'error', 'sslmode-require': 'info' } }).findings;
      const sev = Object.fromEntries(f.map((x) => [x.code, x.severity]));
      assert.deepEqual(sev, { 'sslmode-require': 'info', 'password-in-string': 'warning', 'port-non-default': 'error' });
    });
    it('a disabled rule wins over a severity override', () => {
      const f = lint(text, { disabled: new Set(['sslmode-require']), severities: { 'sslmode-require': 'error' } }).findings;
      assert.ok(!f.some((x) => x.code === 'sslmode-require'));
    });
  });

  describe('fixes, applied to the text', () => {
    const fixed = (text: string, code: string, opts: Partial<LintOptions> = {}) => {
      const r = lint(text, opts);
      const f = r.findings.find((x) => x.code === code);
      assert.ok(f, `${code} in ${r.text}: ${JSON.stringify(r.findings.map((x) => x.code))}`);
      return applyEdits(r.text, editsOf(f));
    };

    it('sslmode=require → verify-full, in place', () => {
      assert.equal(
        fixed('dsn: postgresql://root@db:26257/app?sslmode=require&application_name=x', 'sslmode-require'),
        'dsn: postgresql://root@db:26257/app?sslmode=verify-full&application_name=x',
      );
      assert.equal(fixed('host=db sslmode=disable user=root', 'sslmode-disable'), 'host=db sslmode=verify-full user=root');
      assert.equal(fixed('postgres://db/app?sslmode=verify_full', 'sslmode-unknown'), 'postgres://db/app?sslmode=verify-full');
    });

    it('a missing sslmode is appended with the separator the string needs', () => {
      assert.equal(fixed('postgresql://root@db:26257/app', 'sslmode-missing'), 'postgresql://root@db:26257/app?sslmode=verify-full');
      assert.equal(
        fixed('postgresql://root@db:26257/app?application_name=web', 'sslmode-missing'),
        'postgresql://root@db:26257/app?application_name=web&sslmode=verify-full',
      );
      assert.equal(
        fixed('postgresql://root@db:26257/app?application_name=web&', 'sslmode-missing'),
        'postgresql://root@db:26257/app?application_name=web&sslmode=verify-full',
      );
      assert.equal(fixed('{"url": "postgresql://root@db:26257/app"}', 'sslmode-missing'), '{"url": "postgresql://root@db:26257/app?sslmode=verify-full"}');
      assert.equal(fixed('See [prod](postgresql://root@db:26257/app).', 'sslmode-missing'), 'See [prod](postgresql://root@db:26257/app?sslmode=verify-full).');
      assert.equal(fixed('conn("host=db port=26257 user=root")', 'sslmode-missing'), 'conn("host=db port=26257 user=root sslmode=verify-full")');
      assert.equal(fixed('jdbc:postgresql://db:26257/app?user=root', 'sslmode-missing'), 'jdbc:postgresql://db:26257/app?user=root&sslmode=verify-full');
    });

    it('typos are renamed', () => {
      assert.equal(
        fixed('postgresql://db:26257/app?sslmode=verify-full&sslroot=/c/ca.crt', 'param-typo'),
        'postgresql://db:26257/app?sslmode=verify-full&sslrootcert=/c/ca.crt',
      );
      assert.equal(fixed('postgresql://db:26257/app?ssl_mode=verify-full', 'param-typo'), 'postgresql://db:26257/app?sslmode=verify-full');
      assert.equal(fixed('host=db sslRootCert=/c/ca.crt sslmode=verify-full', 'param-typo'), 'host=db sslrootcert=/c/ca.crt sslmode=verify-full');
    });

    it('passwords are removed (the driver then reads PGPASSWORD)', () => {
      assert.equal(fixed('postgresql://alice:hunter2@db:26257/app?sslmode=disable', 'password-in-string'), 'postgresql://alice@db:26257/app?sslmode=disable');
      assert.equal(
        fixed('postgresql://alice@db:26257/app?password=x&sslmode=disable', 'password-in-string'),
        'postgresql://alice@db:26257/app?sslmode=disable',
      );
      assert.equal(
        fixed('postgresql://alice:a@db:26257/app?sslmode=disable&password=b', 'password-in-string'),
        'postgresql://alice@db:26257/app?sslmode=disable',
      );
      assert.equal(
        fixed('jdbc:postgresql://db:26257/app?user=alice&password=s3cret&ssl=true', 'password-in-string'),
        'jdbc:postgresql://db:26257/app?user=alice&ssl=true',
      );
      assert.equal(fixed('jdbc:postgresql://db:26257/app?ssl=true&password=a&password=b', 'password-in-string'), 'jdbc:postgresql://db:26257/app?ssl=true');
      assert.equal(fixed('jdbc:postgresql://db:26257/app?password=a', 'password-in-string'), 'jdbc:postgresql://db:26257/app');
      assert.equal(fixed("host=db password='s3cret pw' user=alice", 'password-in-string'), 'host=db user=alice');
      assert.equal(fixed('host=db user=alice password=s3cret', 'password-in-string'), 'host=db user=alice');
    });

    it('the earlier duplicate is removed', () => {
      assert.equal(
        fixed('postgresql://db:26257/app?sslmode=disable&sslmode=verify-full&sslrootcert=/c/ca.crt', 'param-duplicate'),
        'postgresql://db:26257/app?sslmode=verify-full&sslrootcert=/c/ca.crt',
      );
      assert.equal(fixed('postgresql://db:26257/app?sslmode=disable&&sslmode=verify-full', 'param-duplicate'), 'postgresql://db:26257/app?sslmode=verify-full');
      assert.equal(fixed('host=db sslmode=disable  sslmode=verify-full', 'param-duplicate'), 'host=db sslmode=verify-full');
      const msg = lint('postgresql://db/app?sslmode=disable&sslmode=require&sslmode=verify-full').findings.filter((f) => f.code === 'param-duplicate');
      assert.deepEqual(
        msg.map((f) => /last one \((.*?)\)/.exec(f.message)?.[1]),
        ['sslmode=verify-full', 'sslmode=verify-full'],
      );
    });

    it('options=--cluster= is removed, and other params kept', () => {
      assert.equal(
        fixed('postgresql://h:26257/db?options=--cluster%3Dfoo-1&sslmode=verify-full', 'cluster-option-deprecated'),
        'postgresql://h:26257/db?sslmode=verify-full',
      );
      assert.equal(
        fixed('postgresql://h:26257/db?sslmode=verify-full&options=--cluster%3Dfoo-1', 'cluster-option-deprecated'),
        'postgresql://h:26257/db?sslmode=verify-full',
      );
    });

    it('JDBC: the .pk8 next to the PEM key; sslcert gets its sslkey', () => {
      const t = 'jdbc:postgresql://localhost:26257/db?user=alice&sslmode=verify-full&sslrootcert=<ca>&sslcert=<aliceCrt>&sslkey=<aliceKey>';
      assert.equal(fixed(t, 'jdbc-key-format'), sub(t).replace(/client\.alice\.key$/, 'client.alice.key.pk8'));
      const noPk8 = lint(
        'jdbc:postgresql://localhost:26257/db?user=expired&sslmode=verify-full&sslrootcert=<ca>&sslcert=<expiredCrt>&sslkey=<expiredKey>',
      ).findings.find((f) => f.code === 'jdbc-key-format');
      assert.ok(noPk8 && noPk8.fixes.length === 0 && /also-generate-pkcs8-key/.test(noPk8.message));
      const u = 'postgresql://root@db:26257/app?sslmode=verify-full&sslrootcert=<ca>&sslcert=<rootCrt>';
      assert.equal(fixed(u, 'sslcert-without-sslkey'), `${sub(u)}&sslkey=${paths.rootKey}`);
      const j = 'jdbc:postgresql://db:26257/app?user=alice&sslmode=verify-full&sslrootcert=<ca>&sslcert=<aliceCrt>';
      assert.equal(fixed(j, 'sslcert-without-sslkey'), `${sub(j)}&sslkey=${paths.alicePk8}`);
    });

    it('values are encoded for the string: percent-encoding in URLs, quotes in key/value', () => {
      const t = 'postgresql://db:26257/app?sslmode=verify-full&sslrootcert=<spaceCaEnc>&sslcert=<spaceCrtEnc>';
      assert.equal(fixed(t, 'sslcert-without-sslkey'), `${sub(t)}&sslkey=${paths.spaceKeyEnc}`);
      const k = "host=db sslmode=verify-full sslrootcert='<spaceCa>' sslcert='<spaceCrt>'";
      assert.equal(fixed(k, 'sslcert-without-sslkey'), `${sub(k)} sslkey='${paths.spaceKey}'`);
      assert.equal(
        fixed('postgresql://db/app?sslmode=verify-full&sslrootcert=%zz.crt', 'param-encoding'),
        'postgresql://db/app?sslmode=verify-full&sslrootcert=%25zz.crt',
      );
    });

    it('add-sslrootcert says where to insert and with which separator', () => {
      for (const [text, sep] of [
        ['postgresql://db/app?sslmode=verify-full', '&'],
        ['host=db sslmode=verify-full', ' '],
        ['jdbc:postgresql://db/app?ssl=true', '&'],
      ] as const) {
        const r = lint(text);
        const f = r.findings.find((x) => x.code === 'rootcert-missing');
        const fix = f?.fixes.find((x) => x.kind === 'add-sslrootcert');
        assert.ok(fix && fix.kind === 'add-sslrootcert', text);
        assert.equal(fix.insertAt, text.length);
        assert.equal(fix.separator, sep);
        assert.deepEqual(fix.conn, { start: 0, end: text.length });
      }
    });

    it('issue-client-cert offers the user and the certs dir', () => {
      const f = lint(client('bob', 'rootCrt', 'rootKey')).findings.find((x) => x.code === 'cert-user-mismatch');
      assert.deepEqual(f?.fixes, [{ title: 'Issue a client certificate for bob', kind: 'issue-client-cert', user: 'bob', certsDir: paths.dir }]);
    });
  });

  it('findConnStrings tells URL, JDBC and key/value strings apart, and the cockroach CLI context', () => {
    const text = sub(
      [
        'a: postgresql://root@h:26257/db?sslmode=verify-full',
        'b: jdbc:postgresql://h:26257/db?user=root',
        'c: "host=h port=26257 user=root"',
        'cockroach sql --url postgresql://root@h:26257/db',
      ].join('\n'),
    );
    assert.deepEqual(
      findConnStrings(text).map((c) => [c.kind, c.context, c.user]),
      [
        ['url', 'generic', 'root'],
        ['jdbc', 'generic', 'root'],
        ['kv', 'generic', 'root'],
        ['url', 'cockroach-cli', 'root'],
      ],
    );
  });
});
