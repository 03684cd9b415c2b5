import { dirname, join } from 'node:path';
import { KeyObject, X509Certificate } from 'node:crypto';
import { daysLeft } from '../../certsdir/status';
import { DEFAULT_ALERT_THRESHOLDS } from '../../monitor/expiry';
import { keyMatchesCert } from '../../pki/keys';
import { extKeyUsageOf, parseDn, parseSans } from '../../pki/inspect';
import { normalizeUserName } from '../../pki/names';
import { FileRef } from '../files';
import { setParamEdit } from '../edit';
import { Finding, Param, paramValue } from '../types';
import { RuleCtx } from './context';

type RefKey = 'sslrootcert' | 'sslcert' | 'sslkey';

/**
 * What the rules read from a certificate, computed once per certificate object: the getters of
 * X509Certificate parse in C++ on every call, and a FileCache hands out the same objects until the
 * file changes, so a document naming ca.crt a thousand times pays for it once.
 */
interface CertFacts {
  notBefore: Date;
  notAfter: Date;
  notBeforeMs: number;
  notAfterMs: number;
  isCa: boolean;
  eku: string[];
  principals: string[];
}
const FACTS = new WeakMap<X509Certificate, CertFacts>();
function facts(cert: X509Certificate): CertFacts {
  let f = FACTS.get(cert);
  if (!f) {
    const cn = parseDn(cert.subject).CN;
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    f = {
      notBefore, notAfter, notBeforeMs: notBefore.getTime(), notAfterMs: notAfter.getTime(), isCa: cert.ca, eku: extKeyUsageOf(cert),
      principals: [...(cn ? [cn] : []), ...parseSans(cert.subjectAltName).dns],
    };
    FACTS.set(cert, f);
  }
  return f;
}

/** A memo of a pairwise check (signature verification, key match), by object identity. */
function pairMemo<A extends object, B extends object>(fn: (a: A, b: B) => boolean): (a: A, b: B) => boolean {
  const memo = new WeakMap<A, WeakMap<B, boolean>>();
  return (a, b) => {
    let inner = memo.get(a);
    if (!inner) memo.set(a, (inner = new WeakMap()));
    let v = inner.get(b);
    if (v === undefined) inner.set(b, (v = fn(a, b)));
    return v;
  };
}
const issuedBy = pairMemo((cert: X509Certificate, ca: X509Certificate) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
const keyMatches = pairMemo((key: KeyObject, cert: X509Certificate) => keyMatchesCert(key, cert));

/** CockroachDB's user normalisation, with a fast path for names that are already normal. */
function normalUser(user: string): string {
  return /^[a-z0-9_.-]*$/.test(user) ? user : normalizeUserName(user);
}

function fileProblems(ctx: RuleCtx, key: RefKey, p: Param, ref: FileRef): Finding[] {
  if (ref.error === 'missing') return [ctx.finding('file-missing', p.valueSpan, `${key} file ${ref.path} does not exist: fix the path (relative paths resolve from the program's working directory).`)];
  if (ref.error === 'directory') return [ctx.finding('file-missing', p.valueSpan, `${key} ${ref.path} is a directory: name the file itself.`)];
  if (ref.error === 'unreadable') return [ctx.finding('file-unreadable', p.valueSpan, `${key} file ${ref.path} cannot be read (${ref.errorDetail}): make it readable by the user that runs the client.`)];
  if (key === 'sslkey') {
    if (!ref.key) return [ctx.finding('file-not-key', p.valueSpan, `${key} file ${ref.path} holds no private key${ref.contentProblem ? ` (${ref.contentProblem})` : ''}: point sslkey at client.<user>.key.`)];
  } else if (ref.certs.length === 0) {
    return [ctx.finding('file-not-cert', p.valueSpan, `${key} file ${ref.path} holds no certificate${ref.contentProblem ? ` (${ref.contentProblem})` : ref.key ? ' (it is a private key)' : ''}: point ${key} at ${key === 'sslrootcert' ? 'the cluster\'s ca.crt' : 'client.<user>.crt'}.`)];
  }
  return [];
}

function expiry(ctx: RuleCtx, key: RefKey, p: Param, cert: X509Certificate, what: string): Finding[] {
  const t = ctx.env.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
  const { notAfter, notBefore, notAfterMs, notBeforeMs } = facts(cert);
  const now = ctx.now.getTime();
  const days = daysLeft(notAfter, ctx.now);
  const fix = key === 'sslrootcert' ? 'rotate the CA (combined ca.crt), then re-issue' : 'issue a new one';
  if (now > notAfterMs) return [ctx.finding('cert-expired', p.valueSpan, `${what} in ${key} expired on ${notAfter.toISOString().slice(0, 10)} (${Math.max(1, -days)} d ago): ${fix}.`)];
  if (now < notBeforeMs) return [ctx.finding('cert-not-yet-valid', p.valueSpan, `${what} in ${key} is not valid before ${notBefore.toISOString()}: check this machine's clock, or wait.`)];
  const isCa = key === 'sslrootcert';
  const limit = isCa ? t.caWarningDays : t.leafWarningDays;
  if (days < limit) {
    const f = ctx.finding('cert-expiring', p.valueSpan, `${what} in ${key} expires in ${days} d (${notAfter.toISOString().slice(0, 10)}): ${isCa ? 'plan the CA rotation' : days < t.leafErrorDays ? 'rotate it now' : 'schedule its rotation'}.`);
    if (!isCa && days < t.leafErrorDays) f.severity = 'error';
    return [f];
  }
  return [];
}

/**
 * libpq (fe-secure-openssl.c) refuses a key file owned by root with more than u=rw,g=r (0640), and
 * any other key file with a group or world bit (more than 0600). Who runs the client does not
 * matter (a client running as root may use another user's key, and root's 0640 key), and the
 * owner's own bits are not checked (0700 passes).
 */
function keyModeProblem(ref: FileRef): string | undefined {
  if (!ref.stat || process.platform === 'win32') return undefined;
  const perm = ref.stat.mode & 0o777;
  const rootOwned = ref.stat.uid === 0;
  if ((perm & (rootOwned ? 0o037 : 0o077)) === 0) return undefined;
  const allowed = rootOwned ? 'u=rw,g=r (0640) for a key owned by root' : 'u=rw (0600)';
  return `private key file ${ref.path} has group or world access (mode 0${perm.toString(8)}); libpq refuses it and allows at most ${allowed}: run "chmod ${rootOwned ? '640' : '600'} ${ref.path}".`;
}

/** The CA that signs client certificates, when it is known: a configured cluster's, or next to sslrootcert. */
function clientCa(ctx: RuleCtx): { path: string; certs: X509Certificate[] } | undefined {
  const root = ctx.ref('sslrootcert');
  return root ? ctx.scope.memo(root, 'client-ca', () => findClientCa(ctx, root)) : undefined;
}

function findClientCa(ctx: RuleCtx, root: FileRef): { path: string; certs: X509Certificate[] } | undefined {
  const candidates: string[] = [];
  if (!root.error) {
    const cluster = ctx.env.knownCas?.find((k) => k.path === root.path);
    if (cluster?.clientCaPath) candidates.push(cluster.clientCaPath);
    const sibling = join(dirname(root.path), 'ca-client.crt');
    if (ctx.scope.exists(sibling)) candidates.push(sibling);
    candidates.push(root.path);
  }
  for (const path of candidates) {
    const r = path === root.path ? root : ctx.scope.ref(path);
    if (r.certs.length) return { path: r.path, certs: r.certs };
  }
  return undefined;
}

export function fileRules(ctx: RuleCtx): Finding[] {
  const { c } = ctx;
  const out: Finding[] = [];
  const mode = paramValue(c, 'sslmode')?.value;
  const verifies = mode === 'verify-ca' || mode === 'verify-full' || (c.kind === 'jdbc' && !mode && paramValue(c, 'ssl')?.value === 'true');
  const rootP = paramValue(c, 'sslrootcert');
  const certP = paramValue(c, 'sslcert');
  const keyP = paramValue(c, 'sslkey');

  if (verifies && (!rootP || !rootP.value)) {
    out.push(ctx.finding('rootcert-missing', paramValue(c, 'sslmode')?.span ?? c.span,
      `sslmode=${mode ?? 'verify-full'} without sslrootcert: libpq then reads ~/.postgresql/root.crt (often stale or absent) and pgjdbc ~/.postgresql/root.crt too; add sslrootcert=<the cluster's ca.crt>.`,
      [{ title: 'Add sslrootcert…', kind: 'add-sslrootcert', conn: c.span, insertAt: c.appendAt, separator: c.appendSeparator }]));
  }

  const root = ctx.ref('sslrootcert');
  if (rootP && root) {
    const probs = fileProblems(ctx, 'sslrootcert', rootP, root);
    out.push(...probs);
    if (!probs.length) {
      if (!root.certs.some((x) => facts(x).isCa)) {
        out.push(ctx.finding('rootcert-not-ca', rootP.valueSpan, `sslrootcert ${root.path} holds no CA certificate (only ${facts(root.certs[0]).principals.join(', ') || 'a leaf'}): point it at the cluster's ca.crt, the CA that signed node.crt.`));
      }
      out.push(...expiry(ctx, 'sslrootcert', rootP, root.certs[0], 'The CA certificate'));
    }
  }

  const cert = ctx.ref('sslcert');
  const key = ctx.ref('sslkey');
  if (certP && certP.value && (!keyP || !keyP.value)) {
    out.push(ctx.finding('sslcert-without-sslkey', certP.span, 'sslcert without sslkey: the driver looks for ~/.postgresql/postgresql.key and the certificate is not sent; add sslkey=<client.<user>.key>.',
      cert && !cert.error && cert.path.endsWith('.crt') ? [{ title: 'Add the matching sslkey', kind: 'edit', edits: [setParamEdit(c, 'sslkey', certP.value.replace(/\.crt$/, c.kind === 'jdbc' ? '.key.pk8' : '.key'))] }] : []));
  }
  if (keyP && keyP.value && (!certP || !certP.value)) {
    out.push(ctx.finding('sslkey-without-sslcert', keyP.span, 'sslkey without sslcert: no client certificate is sent, so certificate authentication fails; add sslcert=<client.<user>.crt>.',
      key && !key.error && /\.key(\.pk8)?$/.test(key.path) ? [{ title: 'Add the matching sslcert', kind: 'edit', edits: [setParamEdit(c, 'sslcert', keyP.value.replace(/\.key(\.pk8)?$/, '.crt'))] }] : []));
  }
  let clientCert: X509Certificate | undefined;
  if (certP && cert) {
    const probs = fileProblems(ctx, 'sslcert', certP, cert);
    out.push(...probs);
    if (!probs.length) {
      clientCert = cert.certs[0];
      out.push(...expiry(ctx, 'sslcert', certP, clientCert, 'The client certificate'));
      const { eku, principals: names } = facts(clientCert);
      if (eku.length > 0 && !eku.includes('clientAuth')) {
        out.push(ctx.finding('cert-no-client-auth', certP.valueSpan, `The client certificate ${cert.path} allows ${eku.join(', ')} but not clientAuth, so the server rejects it (tls: bad certificate): issue it with create-client.`));
      }
      const user = c.user;
      // CockroachDB case-folds and NFC-normalises the connection's user (Alice is alice), not the certificate's CN.
      if (user && !names.includes(normalUser(user))) {
        out.push(ctx.finding('cert-user-mismatch', certP.valueSpan, `The client certificate is for ${names.map((n) => `"${n}"`).join(', ') || 'no user'} but the connection's user is "${user}": CockroachDB maps the CN to the SQL user, so authentication fails; use client.${user}.crt or issue one.`,
          [{ title: `Issue a client certificate for ${user}`, kind: 'issue-client-cert', user, certsDir: dirname(cert.path) }]));
      }
      const ca = clientCa(ctx);
      const leaf = clientCert;
      if (ca && !ca.certs.some((x) => issuedBy(leaf, x))) {
        out.push(ctx.finding('cert-wrong-ca', certP.valueSpan, `The client certificate is not signed by the cluster's CA ${ca.path}: the server rejects it (tls: unknown certificate authority); issue it from that CA.`,
          user ? [{ title: `Issue a client certificate for ${user}`, kind: 'issue-client-cert', user, certsDir: dirname(ca.path) }] : []));
      }
    }
  }
  if (keyP && key) {
    const probs = fileProblems(ctx, 'sslkey', keyP, key);
    out.push(...probs);
    if (!probs.length) {
      const mode0 = keyModeProblem(key);
      if (mode0) out.push(ctx.finding('key-permissions', keyP.valueSpan, mode0));
      if (clientCert && key.key && !keyMatches(key.key, clientCert)) {
        out.push(ctx.finding('key-mismatch', keyP.valueSpan, `sslkey ${key.path} does not belong to sslcert ${cert?.path}: the TLS handshake fails; use the key issued with that certificate.`));
      }
      if (c.kind === 'jdbc' && key.key && key.keyFormat !== 'der') {
        const pk8 = ctx.scope.memo(key, 'pk8', () => ctx.scope.exists(`${key.path}.pk8`));
        out.push(ctx.finding('jdbc-key-format', keyP.valueSpan, `pgjdbc reads the client key as PKCS#8 DER (client.<user>.key.pk8), not ${key.path}; it silently skips the key and the server asks for a password. ${pk8 ? 'Use the .pk8 next to it.' : 'Create one with create-client --also-generate-pkcs8-key.'}`,
          pk8 ? [{ title: 'Use the .pk8 key', kind: 'edit', edits: [setParamEdit(c, 'sslkey', `${keyP.value}.pk8`)] }] : []));
      }
    }
  }
  return out;
}
