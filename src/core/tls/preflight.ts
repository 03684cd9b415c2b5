import type { X509Certificate } from 'node:crypto';
import { dirname, join } from 'node:path';
import { LIBPQ_DEFAULT_FILES } from '../cockroach/sslmode';
import { libpqKeyModeProblem } from '../cockroach/keymode';
import { paramValue } from '../connstr/types';
import { judgeCloudCa } from '../connstr/cloudCa';
import { CLOUD_CA_CERT_COMMAND, isCloudHost } from '../cockroach/cloud';
import { keyMatchesCert } from '../pki/keys';
import { LoadedFile, loadFile, matchingSiblingKey } from './files';
import { Ctx, TestConnectionResult, cn, result } from './testConnectionTypes';

// Preflight: the files the connection string names (or libpq's defaults), checked as libpq would
// before any packet is sent. Fills ctx.root/cert/key, the CA pool and the certs dir for the later parts.

/** Missing files, key permissions, key not matching the certificate: what fails before any packet is sent. `pgDir` holds libpq's default files. */
export function preflight(ctx: Ctx, pgDir: string, euid: number | undefined): TestConnectionResult | undefined {
  const { c, details } = ctx;
  const get = (k: 'sslrootcert' | 'sslcert' | 'sslkey') => paramValue(c, k)?.value;
  const fileFail = (f: LoadedFile): TestConnectionResult => {
    const { check } = f;
    const written = check.written !== check.path ? ` (written "${check.written}")` : '';
    const role =
      check.param === 'sslrootcert'
        ? "the cluster's CA certificate"
        : check.param === 'sslcert'
          ? `the client certificate for ${ctx.user}`
          : `the client key for ${ctx.user}`;
    const create =
      check.param === 'sslrootcert'
        ? `copy the cluster's ca.crt to ${check.path}`
        : `issue it: crdb-tls cert create-client ${ctx.user} --certs-dir ${dirname(check.path)} --ca-key <ca.key>`;
    const defaultNote = check.source === 'default' ? `, libpq's default when the string has no ${check.param}` : '';
    switch (check.status) {
      case 'missing':
        return result(
          details,
          'file-missing',
          `${check.param} file ${check.path}${written}${defaultNote} does not exist, so the client cannot load ${role}` +
            `${check.param === 'sslcert' ? ' (libpq then silently sends no certificate, and the server refuses the login with "connection requires a valid client certificate")' : ''}.`,
          `fix the path in ${check.param} (relative paths resolve from the program's working directory), or ${create}.`,
        );
      case 'directory':
        return result(
          details,
          'file-missing',
          `${check.param} ${check.path}${written} is a directory, not ${role}.`,
          `name the file itself, e.g. ${join(check.path, check.param === 'sslrootcert' ? 'ca.crt' : `client.${ctx.user}.${check.param === 'sslcert' ? 'crt' : 'key'}`)}.`,
        );
      case 'unreadable':
        return result(
          details,
          'other',
          `${check.param} file ${check.path} cannot be read (${f.ref.errorDetail ?? 'unreadable'}).`,
          f.ref.inputProblem === 'not-regular'
            ? `point ${check.param} at ${role} as a regular file (a FIFO or device is not read).`
            : f.ref.inputProblem === 'too-large'
              ? `point ${check.param} at ${role}.`
              : `make it readable by the user that runs the client (chmod/chown), keeping a key at 0600.`,
        );
      case 'not-cert':
        return result(
          details,
          'other',
          `${check.param} file ${check.path} holds no certificate${f.ref.contentProblem ? ` (${f.ref.contentProblem})` : f.ref.key ? ' (it is a private key)' : ''}.`,
          `point ${check.param} at ${check.param === 'sslrootcert' ? "the cluster's ca.crt" : `client.${ctx.user}.crt`} ("crdb-tls inspect ${check.path}" shows what it holds).`,
        );
      case 'not-key':
        return result(
          details,
          'other',
          `sslkey file ${check.path} holds no private key${f.ref.contentProblem ? ` (${f.ref.contentProblem})` : f.ref.certs.length ? ' (it holds a certificate)' : ''}.`,
          `point sslkey at client.${ctx.user}.key, the key issued with the certificate.`,
        );
      default:
        return result(details, 'other', `${check.param} file ${check.path} cannot be used.`, 'fix the path.');
    }
  };

  // sslrootcert: the string's, else ~/.postgresql/root.crt when it exists, else the public roots.
  const root = get('sslrootcert');
  if (root === 'system') {
    ctx.caDesc = "the system's public root CAs (sslrootcert=system)";
  } else if (root) {
    ctx.root = loadFile('sslrootcert', root, 'string', ctx.env);
  } else if (ctx.verify !== 'none') {
    const def = loadFile('sslrootcert', join(pgDir, LIBPQ_DEFAULT_FILES.sslrootcert), 'default', ctx.env);
    if (def.check.status !== 'missing') {
      ctx.root = def;
      details.notes.push(`No sslrootcert in the string: used libpq's default, ${def.check.path}.`);
      const cloud = isCloudHost(ctx.host) && def.check.status === 'ok' ? cloudDefaultCaFail(ctx, def) : undefined;
      if (cloud) {
        details.files.push(def.check);
        return cloud;
      }
    } else {
      if (isCloudHost(ctx.host))
        details.notes.push(
          `${ctx.host} is a CockroachDB Cloud host: psql and psycopg would fail without ${def.check.path}; ${CLOUD_CA_CERT_COMMAND} writes the cluster's CA there. Public root CAs verify a Basic or Standard cluster (sslrootcert=system with libpq 16+ and pgx v5), not an Advanced one (the host name does not tell the plan).`,
        );
      ctx.caDesc = "Node's built-in public root CAs (the string has no sslrootcert)";
      details.notes.push(
        `No sslrootcert in the string: verified against public root CAs, as pgx and the cockroach CLI do; libpq (psql, psycopg) would fail with "root certificate file \\"${def.check.path}\\" does not exist".`,
      );
    }
  }
  if (ctx.root) {
    details.files.push(ctx.root.check);
    if (ctx.root.check.status !== 'ok') return fileFail(ctx.root);
    ctx.caCerts = ctx.root.ref.certs;
    ctx.caPem = ctx.caCerts.map((x) => x.toString()).join('');
    ctx.caDesc = `sslrootcert ${ctx.root.check.path}`;
    ctx.certsDir = dirname(ctx.root.check.path);
    if (ctx.verify === 'none')
      details.notes.push(
        `sslmode=${ctx.sslmode}: ${ctx.root.check.path} is not used to verify the server${ctx.sslmode === 'require' ? ' (libpq and pgx would verify the CA with it, as verify-ca does)' : ''}.`,
      );
  }

  // sslcert and sslkey: the string's, else libpq's defaults when they exist.
  const certW = get('sslcert');
  const keyW = get('sslkey');
  if (certW) ctx.cert = loadFile('sslcert', certW, 'string', ctx.env);
  else {
    const def = loadFile('sslcert', join(pgDir, LIBPQ_DEFAULT_FILES.sslcert), 'default', ctx.env);
    if (def.check.status !== 'missing') {
      ctx.cert = def;
      details.notes.push(`No sslcert in the string: used libpq's default, ${def.check.path}.`);
    }
  }
  if (ctx.cert) {
    details.files.push(ctx.cert.check);
    if (ctx.cert.check.status !== 'ok') return fileFail(ctx.cert);
    if (!certW && !root) ctx.certsDir = dirname(ctx.cert.check.path);
    if (!root && certW) ctx.certsDir = dirname(ctx.cert.check.path);
  }
  if (keyW) ctx.key = loadFile('sslkey', keyW, 'string', ctx.env);
  else if (ctx.cert) ctx.key = loadFile('sslkey', join(pgDir, LIBPQ_DEFAULT_FILES.sslkey), 'default', ctx.env);
  if (ctx.key) {
    details.files.push(ctx.key.check);
    if (ctx.key.check.status === 'missing' && ctx.key.check.source === 'default' && ctx.cert) {
      return result(
        details,
        'file-missing',
        `sslcert ${ctx.cert.check.path} is set but sslkey is not, and libpq's default key ${ctx.key.check.path} does not exist ("certificate present, but not private key file").`,
        `add sslkey=${ctx.cert.check.path.replace(/\.crt$/, '.key')} (the key issued with the certificate) to the string.`,
      );
    }
    if (ctx.key.check.status !== 'ok') return fileFail(ctx.key);
    if (!ctx.cert) {
      return result(
        details,
        'file-missing',
        `sslkey ${ctx.key.check.path} is set but sslcert is not, so no client certificate would be sent.`,
        `add sslcert=${ctx.key.check.path.replace(/\.key(\.pk8)?$/, '.crt')} (the certificate issued with the key) to the string.`,
      );
    }
    const st = ctx.key.ref.stat;
    const problem = st ? libpqKeyModeProblem(ctx.key.check.path, st, euid) : undefined;
    if (problem) {
      return result(
        details,
        'key-permissions',
        `sslkey: ${problem.message}; psql and psycopg stop there, before connecting: "${problem.libpqText}".`,
        `${problem.fix} (it is ${ctx.key.check.mode ?? '?'} now).`,
      );
    }
    const cert = ctx.cert.ref.certs[0];
    const key = ctx.key.ref.key;
    if (cert && key && !safeMatch(key, cert)) {
      const sibling = matchingSiblingKey(ctx.cert.check.path, cert, ctx.env);
      const who = cn(cert);
      return result(
        details,
        'key-mismatch',
        `sslkey ${ctx.key.check.path} does not belong to sslcert ${ctx.cert.check.path} (CN=${who}): the key's public half differs from the certificate's, so the TLS library refuses the pair.`,
        sibling
          ? `set sslkey=${sibling}: that key belongs to ${ctx.cert.check.path}.`
          : `point sslkey at the key issued together with ${ctx.cert.check.path}, or issue a new pair: crdb-tls cert create-client ${who} --certs-dir ${dirname(ctx.cert.check.path)} --ca-key <ca.key> --overwrite.`,
      );
    }
  }
  return undefined;
}

/**
 * A Cloud host checked against libpq's default CA file that cannot be its CA (no CA, or one not
 * valid now: connstr/cloudCa.ts): fails before any packet is sent. One that only looks like a
 * self-hosted cluster's CA (its subject) gets a note, and the handshake decides.
 */
function cloudDefaultCaFail(ctx: Ctx, def: LoadedFile): TestConnectionResult | undefined {
  const v = judgeCloudCa(def.ref, ctx.now);
  if (v.state === 'ok' || v.state === 'missing') return undefined;
  const path = def.check.path;
  if (v.state === 'self-hosted') {
    // Only the subject says so: connect, and let the handshake decide (diagnosis names the file when it fails).
    ctx.details.notes.push(
      `${ctx.host} is a CockroachDB Cloud host; libpq's default CA file ${path} holds ${v.holds}. If the server's certificate does not verify, download the cluster's CA: ${CLOUD_CA_CERT_COMMAND} --overwrite.`,
    );
    return undefined;
  }
  return result(
    ctx.details,
    'unknown-authority',
    `${ctx.host} is a CockroachDB Cloud host and the string has no sslrootcert, so the client verifies the server against libpq's default CA file ${path}, which holds ${v.holds}, not the Cloud cluster's CA: the server's certificate cannot verify against it (nothing was sent).`,
    `download the cluster's CA: ${CLOUD_CA_CERT_COMMAND} --overwrite (it backs up ${path} first; CLUSTER is the cluster's name or id), or keep ${path} for the self-hosted cluster and name the Cloud CA in sslrootcert (${CLOUD_CA_CERT_COMMAND} --out FILE); on a Basic or Standard cluster, sslrootcert=system also works with libpq 16+ and pgx v5.`,
  );
}

function safeMatch(key: Parameters<typeof keyMatchesCert>[0], cert: X509Certificate): boolean {
  try {
    return keyMatchesCert(key, cert);
  } catch {
    return false;
  }
}
