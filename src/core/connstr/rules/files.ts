import { CA_CERT, signingCaFile } from '../../cockroach/layout';
import { basename, dirname, join } from 'node:path';
import { KeyObject, X509Certificate } from 'node:crypto';
import { libpqKeyModeProblem } from '../../cockroach/keymode';
import { daysLeft, spanText } from '../../cockroach/expiry';
import { DEFAULT_THRESHOLDS } from '../../cockroach/expiry';
import { LIBPQ_DEFAULT_KEY, LIBPQ_DEFAULT_ROOTCERT } from '../../cockroach/sslmode';
import { findIssuer, notSignedText } from '../../pki/chain';
import { keyMatchesCert } from '../../pki/keys';
import { opensslTrip } from '../../pki/pem';
import { certInfo } from '../../pki/certinfo';
import { normalizeUserName } from '../../pki/names';
import { FileRef } from '../files';
import { Fix, Severity } from '../types';
import { PS_ALL, PS_VALUE } from '../table';
import { ADD_SSLROOTCERT, FixRecipe, NO_FIXES, RuleCtx, SetParamFix } from './context';
import { RULES } from './catalog';
import { readsAsJava } from './clients';
import { cloudCoversDefaultCa } from './cloud';

type RefKey = 'sslrootcert' | 'sslcert' | 'sslkey';

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
const keyMatches = pairMemo((key: KeyObject, cert: X509Certificate) => keyMatchesCert(key, cert));

/** CockroachDB's user normalisation, with a fast path for names that are already normal. */
function normalUser(user: string): string {
  return /^[a-z0-9_.-]*$/.test(user) ? user : normalizeUserName(user);
}

interface Problem {
  code: string;
  message: string;
  severity: Severity;
}

const problem = (code: string, message: string, severity: Severity = RULES[code].severity): Problem => ({ code, message, severity });

/** What makes a referenced file unusable for its parameter, if anything. */
function fileProblem(key: RefKey, ref: FileRef): Problem | null {
  if (ref.error === 'missing')
    return problem('file-missing', `${key} file ${ref.path} does not exist: fix the path (relative paths resolve from the program's working directory).`);
  if (ref.error === 'directory') return problem('file-missing', `${key} ${ref.path} is a directory: name the file itself.`);
  if (ref.error === 'unreadable') {
    const fix =
      ref.inputProblem === 'not-regular'
        ? `point ${key} at a regular file (only regular files are read)`
        : ref.inputProblem === 'too-large'
          ? `point ${key} at the right file`
          : 'make it readable by the user that runs the client';
    return problem('file-unreadable', `${key} file ${ref.path} cannot be read (${ref.errorDetail}): ${fix}.`);
  }
  if (key === 'sslkey') {
    if (!ref.key)
      return problem(
        'file-not-key',
        `${key} file ${ref.path} holds no private key${ref.contentProblem ? ` (${ref.contentProblem})` : ''}: point sslkey at client.<user>.key.`,
      );
  } else if (ref.certs.length === 0) {
    return problem(
      'file-not-cert',
      `${key} file ${ref.path} holds no certificate${ref.contentProblem ? ` (${ref.contentProblem})` : ref.key ? ' (it is a private key)' : ''}: point ${key} at ${key === 'sslrootcert' ? "the cluster's ca.crt" : 'client.<user>.crt'}.`,
    );
  }
  return null;
}

function expiryProblem(ctx: RuleCtx, key: RefKey, cert: X509Certificate, what: string): Problem | null {
  const t = ctx.env.thresholds ?? DEFAULT_THRESHOLDS;
  const { notAfter, notBefore } = certInfo(cert);
  const notAfterMs = notAfter.getTime();
  const notBeforeMs = notBefore.getTime();
  const now = ctx.now.getTime();
  const days = daysLeft(notAfter, ctx.now);
  const fix = key === 'sslrootcert' ? 'rotate the CA (combined ca.crt), then re-issue' : 'issue a new one';
  if (now > notAfterMs)
    return problem('cert-expired', `${what} in ${key} expired on ${notAfter.toISOString().slice(0, 10)} (${spanText(Math.max(1, -days))} ago): ${fix}.`);
  if (now < notBeforeMs)
    return problem('cert-not-yet-valid', `${what} in ${key} is not valid before ${notBefore.toISOString()}: check this machine's clock, or wait.`);
  const isCa = key === 'sslrootcert';
  const limit = isCa ? t.caWarningDays : t.leafWarningDays;
  if (days < limit) {
    return problem(
      'cert-expiring',
      `${what} in ${key} expires in ${spanText(days)} (${notAfter.toISOString().slice(0, 10)}): ${isCa ? 'plan the CA rotation' : days < t.leafErrorDays ? 'rotate it now' : 'schedule its rotation'}.`,
      !isCa && days < t.leafErrorDays ? 'error' : RULES['cert-expiring'].severity,
    );
  }
  return null;
}

/** libpq's key-mode rule (cockroach/keymode.ts), as the finding's message with its fix. */
function keyModeProblem(ref: FileRef, euid: number | undefined): string | undefined {
  if (!ref.stat) return undefined;
  const p = libpqKeyModeProblem(ref.path, ref.stat, euid);
  return p ? `${p.message}: run "${p.fix}".` : undefined;
}

interface ClientCa {
  path: string;
  /** The folder of path (where a client certificate would be issued). */
  dir: string;
  certs: X509Certificate[];
}

function findClientCa(ctx: RuleCtx, root: FileRef): ClientCa | undefined {
  const candidates: string[] = [];
  if (!root.error) {
    const cluster = ctx.env.knownCas?.find((k) => k.path === root.path);
    if (cluster?.clientCaPath) candidates.push(cluster.clientCaPath);
    const dir = dirname(root.path);
    const signer = signingCaFile('Client', (n) => ctx.scope.exists(join(dir, n)));
    if (signer && signer !== CA_CERT) candidates.push(join(dir, signer));
    candidates.push(root.path);
  }
  for (const path of candidates) {
    const r = path === root.path ? root : ctx.scope.ref(path);
    if (r.certs.length) return { path: r.path, dir: dirname(r.path), certs: r.certs };
  }
  return undefined;
}

const newMap = <K, V>() => new Map<K, V>();

/** "Issue a client certificate for <user>" into a certs dir: the same (frozen) fixes for every string that needs them. */
function issueFixes(ctx: RuleCtx, user: string, certsDir: string): Fix[] {
  const byUser = ctx.scope.byValue('issue-fixes', certsDir, newMap<string, Fix[]>);
  let fixes = byUser.get(user);
  if (!fixes) {
    const fix: Fix = Object.freeze({ title: `Issue a client certificate for ${user}`, kind: 'issue-client-cert' as const, user, certsDir });
    byUser.set(user, (fixes = Object.freeze([fix]) as unknown as Fix[]));
  }
  return fixes;
}

interface UserCheck {
  message: string;
  fixes: Fix[];
}

/** Whether the client certificate is for the connection's user (CockroachDB case-folds and NFC-normalises the user, not the CN). */
function userCheck(ctx: RuleCtx, cert: FileRef, names: string[], user: string): UserCheck | null {
  if (names.includes(normalUser(user))) return null;
  return {
    message: `The client certificate is for ${names.map((n) => `"${n}"`).join(', ') || 'no user'} but the connection's user is "${user}": CockroachDB maps the CN to the SQL user, so authentication fails; use client.${user}.crt or issue one.`,
    fixes: issueFixes(ctx, user, dirname(cert.path)),
  };
}

/**
 * What the rules read from a file a parameter names, worked out once per run for each value
 * written (a document names the same few files in every string): its problem, and by parameter,
 * what its certificate or key says, with the checks that pair it with another file or the user.
 */
interface RefFacts {
  problem: Problem | null;
  expiry: Problem | null;
  /** sslrootcert: no CA certificate in the file (the message). */
  notCa: string | null;
  /** sslrootcert: the CA that signs client certificates (undefined until asked for, null when unknown). */
  clientCa: ClientCa | null | undefined;
  /** sslcert: the certificate's principals, and what the checks against a user, a key and a CA found. */
  names: string[];
  noClientAuth: string | null;
  byUser: Map<string, UserCheck | null> | undefined;
  byKey: Map<FileRef, string | null> | undefined;
  byCa: Map<ClientCa, string | null> | undefined;
  /** sslkey: a mode libpq refuses, and what pgjdbc needs (the message and the fix). */
  mode: string | undefined;
  jdbc: { message: string; fixes: Fix[] | FixRecipe } | null;
}

function refFacts(ctx: RuleCtx, key: RefKey, ref: FileRef): RefFacts {
  const f: RefFacts = {
    problem: fileProblem(key, ref),
    expiry: null,
    notCa: null,
    clientCa: undefined,
    names: [],
    noClientAuth: null,
    byUser: undefined,
    byKey: undefined,
    byCa: undefined,
    mode: undefined,
    jdbc: null,
  };
  if (f.problem) return f;
  if (key === 'sslrootcert') {
    if (!ref.certs.some((x) => certInfo(x).isCA)) {
      f.notCa = `sslrootcert ${ref.path} holds no CA certificate (only ${certInfo(ref.certs[0]).principals.join(', ') || 'a leaf'}): point it at the cluster's ca.crt, the CA that signed node.crt.`;
    }
    f.expiry = expiryProblem(ctx, key, ref.certs[0], 'The CA certificate');
  } else if (key === 'sslcert') {
    const cert = ref.certs[0];
    f.expiry = expiryProblem(ctx, key, cert, 'The client certificate');
    const { extKeyUsage: eku, principals } = certInfo(cert);
    f.names = principals;
    if (eku.length > 0 && !eku.includes('clientAuth')) {
      f.noClientAuth = `The client certificate ${ref.path} allows ${eku.join(', ')} but not clientAuth, so the server rejects it (tls: bad certificate): issue it with create-client.`;
    }
    f.byUser = new Map();
    f.byKey = new Map();
    f.byCa = new Map();
  } else {
    f.mode = keyModeProblem(ref, ctx.euid);
    if (ref.key && ref.keyFormat !== 'der') {
      const pk8 = ctx.scope.exists(`${ref.path}.pk8`);
      f.jdbc = {
        message: `pgjdbc reads the client key as PKCS#8 DER (client.<user>.key.pk8), not ${ref.path}; it silently skips the key and the server asks for a password. ${pk8 ? 'Use the .pk8 next to it.' : 'Create one with create-client --also-generate-pkcs8-key.'}`,
        fixes: pk8 ? new SetParamFix('Use the .pk8 key', 'sslkey', `${ref.written}.pk8`) : NO_FIXES,
      };
    }
  }
  return f;
}

const FACTS_TAG: Record<RefKey, string> = { sslrootcert: 'facts-sslrootcert', sslcert: 'facts-sslcert', sslkey: 'facts-sslkey' };

function factsOf(ctx: RuleCtx, key: RefKey, ref: FileRef): RefFacts {
  const m = ctx.scope.map<FileRef, RefFacts>(FACTS_TAG[key]);
  let f = m.get(ref);
  if (!f) m.set(ref, (f = refFacts(ctx, key, ref)));
  return f;
}

const ROOTCERT_MISSING = (mode: string | undefined) =>
  `sslmode=${mode ?? 'verify-full'} without sslrootcert: libpq then reads ${LIBPQ_DEFAULT_ROOTCERT} (often stale or absent) and pgjdbc ${LIBPQ_DEFAULT_ROOTCERT} too; add sslrootcert=<the cluster's ca.crt>.`;
const CERT_WITHOUT_KEY = `sslcert without sslkey: the driver looks for ${LIBPQ_DEFAULT_KEY} and the certificate is not sent; add sslkey=<client.<user>.key>.`;
const KEY_WITHOUT_CERT = 'sslkey without sslcert: no client certificate is sent, so certificate authentication fails; add sslcert=<client.<user>.crt>.';
const addSslkey = (v: string) => new SetParamFix('Add the matching sslkey', 'sslkey', v);
const addSslcert = (v: string) => new SetParamFix('Add the matching sslcert', 'sslcert', v);

/** file-pem-openssl on parameter p (`key`), when its file has PEM that OpenSSL-based clients read differently. */
function pemNotes(ctx: RuleCtx, key: RefKey, p: number): void {
  const ref = ctx.ref(key);
  const notes = ref?.pemNotes;
  if (ref && notes) ctx.addParam('file-pem-openssl', p, PS_VALUE, opensslTrip(`${key} file ${ref.path}`, notes.join('; ')));
}

export function fileRules(ctx: RuleCtx): void {
  const { c, scope } = ctx;
  const modeP = ctx.sslmode;
  const mode = modeP >= 0 ? ctx.value(modeP) : undefined;
  // The cockroach CLI's own default reads ca.crt from --certs-dir: no sslrootcert needed there.
  const eff = ctx.eff();
  const verifies = eff.verifies && eff.ca === 'sslrootcert';
  const rootP = ctx.sslrootcert;
  const certP = ctx.sslcert;
  const keyP = ctx.sslkey;
  // The values ('' when the parameter is missing).
  const certV = ctx.value(certP);
  const keyV = ctx.value(keyP);

  // On a Cloud host the Cloud rules judge libpq's default CA file instead (cloud.ts).
  if (verifies && !ctx.value(rootP) && !cloudCoversDefaultCa(ctx)) {
    const message = scope.byValue('rootcert-missing', mode, ROOTCERT_MISSING);
    if (modeP >= 0) ctx.addParam('rootcert-missing', modeP, PS_ALL, message, ADD_SSLROOTCERT);
    else ctx.addConn('rootcert-missing', message, ADD_SSLROOTCERT);
  }

  // PEM that OpenSSL-based clients may not load: a warning beside whatever else the file gets.
  if (rootP >= 0) pemNotes(ctx, 'sslrootcert', rootP);
  if (certP >= 0) pemNotes(ctx, 'sslcert', certP);
  if (keyP >= 0) pemNotes(ctx, 'sslkey', keyP);

  const root = ctx.ref('sslrootcert');
  const rootFacts = root ? factsOf(ctx, 'sslrootcert', root) : undefined;
  if (rootFacts) {
    if (rootFacts.problem) ctx.addParam(rootFacts.problem.code, rootP, PS_VALUE, rootFacts.problem.message);
    else {
      if (rootFacts.notCa) ctx.addParam('rootcert-not-ca', rootP, PS_VALUE, rootFacts.notCa);
      if (rootFacts.expiry) ctx.addParam(rootFacts.expiry.code, rootP, PS_VALUE, rootFacts.expiry.message).severity = rootFacts.expiry.severity;
    }
  }

  const cert = ctx.ref('sslcert');
  const key = ctx.ref('sslkey');
  if (certV && !keyV) {
    ctx.addParam(
      'sslcert-without-sslkey',
      certP,
      PS_ALL,
      CERT_WITHOUT_KEY,
      cert && !cert.error && cert.path.endsWith('.crt')
        ? scope.byValue('add-sslkey', certV.replace(/\.crt$/, c.kind === 'jdbc' ? '.key.pk8' : '.key'), addSslkey)
        : NO_FIXES,
    );
  }
  if (keyV && !certV) {
    ctx.addParam(
      'sslkey-without-sslcert',
      keyP,
      PS_ALL,
      KEY_WITHOUT_CERT,
      key && !key.error && /\.key(\.pk8)?$/.test(key.path) ? scope.byValue('add-sslcert', keyV.replace(/\.key(\.pk8)?$/, '.crt'), addSslcert) : NO_FIXES,
    );
  }
  let certFacts: RefFacts | undefined;
  if (cert) {
    const cf = factsOf(ctx, 'sslcert', cert);
    if (cf.problem) ctx.addParam(cf.problem.code, certP, PS_VALUE, cf.problem.message);
    else {
      certFacts = cf;
      if (cf.expiry) ctx.addParam(cf.expiry.code, certP, PS_VALUE, cf.expiry.message).severity = cf.expiry.severity;
      if (cf.noClientAuth) ctx.addParam('cert-no-client-auth', certP, PS_VALUE, cf.noClientAuth);
      const user = c.user;
      if (user) {
        const byUser = cf.byUser!;
        let check = byUser.get(user);
        if (check === undefined) byUser.set(user, (check = userCheck(ctx, cert, cf.names, user)));
        if (check) ctx.addParam('cert-user-mismatch', certP, PS_VALUE, check.message, check.fixes);
      }
      // The CA that signs client certificates, when it is known: a configured cluster's, or next to sslrootcert.
      if (root && rootFacts!.clientCa === undefined) rootFacts!.clientCa = findClientCa(ctx, root) ?? null;
      const ca = rootFacts?.clientCa;
      if (ca) {
        let wrong = cf.byCa!.get(ca);
        if (wrong === undefined) {
          const leaf = cert.certs[0];
          const m = findIssuer(leaf, ca.certs);
          wrong = m.signed
            ? null
            : `The client certificate is not signed by the cluster's CA ${ca.path}: ${notSignedText(leaf, basename(ca.path), ca.certs, m)}. ` +
              `The server rejects it (tls: unknown certificate authority); issue it again from that CA, or, during a CA rotation, append the CA that signed it to the server's ${basename(ca.path)}.`;
          cf.byCa!.set(ca, wrong);
        }
        if (wrong) ctx.addParam('cert-wrong-ca', certP, PS_VALUE, wrong, user ? issueFixes(ctx, user, ca.dir) : NO_FIXES);
      }
    }
  }
  if (key) {
    const kf = factsOf(ctx, 'sslkey', key);
    if (kf.problem) ctx.addParam(kf.problem.code, keyP, PS_VALUE, kf.problem.message);
    else {
      if (kf.mode) ctx.addParam('key-permissions', keyP, PS_VALUE, kf.mode);
      if (certFacts && cert && key.key) {
        const byKey = certFacts.byKey!;
        let mismatch = byKey.get(key);
        if (mismatch === undefined) {
          mismatch = keyMatches(key.key, cert.certs[0])
            ? null
            : `sslkey ${key.path} does not belong to sslcert ${cert.path}: the TLS handshake fails; use the key issued with that certificate.`;
          byKey.set(key, mismatch);
        }
        if (mismatch) ctx.addParam('key-mismatch', keyP, PS_VALUE, mismatch);
      }
      if (readsAsJava(ctx) && kf.jdbc) ctx.addParam('jdbc-key-format', keyP, PS_VALUE, kf.jdbc.message, kf.jdbc.fixes);
    }
  }
}
