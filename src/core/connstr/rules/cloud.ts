/**
 * CockroachDB Cloud hosts (*.cockroachlabs.cloud): which CA a string without sslrootcert ends up
 * with (libpq's default CA file, judged by connstr/cloudCa.ts), and sslrootcert=system, right for
 * Basic and Standard clusters (their certificates chain to a public CA) with libpq 16+ and pgx v5.
 * The host name does not tell the plan, so the messages say what holds for each.
 */
import { CLOUD_CA_CERT_COMMAND } from '../../cockroach/cloud';
import { CLIENTS } from '../clients/table';
import { CloudCaVerdict, judgeCloudCa } from '../cloudCa';
import { FileRef } from '../files';
import { setParamEdit } from '../edit';
import { PS_ALL, PS_VALUE } from '../table';
import { ConnString, Fix } from '../types';
import { ADD_SSLROOTCERT, FixRecipe, RuleCtx } from './context';

const PLAN =
  'The host name does not tell the plan (crdb-tls cloud clusters shows it): a Basic or Standard cluster serves a certificate from a public CA, so sslrootcert=system works there with libpq 16+ and pgx v5; an Advanced cluster needs its own CA.';

/** The client reads libpq's default CA file when the string has no sslrootcert: libpq and the libraries over it, pgjdbc (not pgx, lib/pq, node-postgres, Prisma). */
function readsDefaultRootcert(ctx: RuleCtx): boolean {
  const client = ctx.env.client;
  if (!client) return true;
  const family = CLIENTS[client].family;
  return family === 'libpq' || family === 'java';
}

/** The client understands sslrootcert=system (clients.ts reports the others as rootcert-system-unsupported). */
function systemRootOk(ctx: RuleCtx): boolean {
  const client = ctx.env.client;
  return client ? CLIENTS[client].systemRoot !== 'no' : ctx.c.kind !== 'jdbc';
}

/**
 * Whether the Cloud rule speaks for this string's missing sslrootcert (then files.ts's generic
 * rootcert-missing stays quiet): a Cloud host, verification against sslrootcert, none given, and
 * a client that falls back to libpq's default file.
 */
export function cloudCoversDefaultCa(ctx: RuleCtx): boolean {
  return readsDefaultRootcert(ctx) && ctx.cloudHost() !== undefined;
}

function who(ctx: RuleCtx): string {
  return ctx.env.client ?? (ctx.c.kind === 'jdbc' ? 'pgjdbc' : 'libpq (psql, psycopg) and pgjdbc');
}

function missingText(host: string, client: string, path: string): string {
  return `${host} is a CockroachDB Cloud host and the string has no sslrootcert, so ${client} verifies the server against libpq's default CA file ${path}, which does not exist: the connection fails ("root certificate file ... does not exist"). Download the cluster's CA there: ${CLOUD_CA_CERT_COMMAND}. ${PLAN}`;
}

function differentText(host: string, client: string, path: string, v: CloudCaVerdict): string {
  return `${host} is a CockroachDB Cloud host and the string has no sslrootcert, so ${client} verifies the server against libpq's default CA file ${path}, which holds ${v.holds}, not the Cloud cluster's CA: the server's certificate will not verify. Download the cluster's CA: ${CLOUD_CA_CERT_COMMAND} --overwrite (it backs up ${path} first), or name the right CA file in sslrootcert. ${PLAN}`;
}

const SYSTEM_TEXT = (host: string) =>
  `sslrootcert=system trusts the system's public CAs: right for a Basic or Standard cluster at ${host} (their certificates chain to a public CA) with libpq 16+ and pgx v5 (older libpq opens a file named "system"). An Advanced cluster's certificate comes from the cluster's own CA, which no system store holds: download it with ${CLOUD_CA_CERT_COMMAND} and name the file. The host name does not tell the plan (crdb-tls cloud clusters shows it).`;

/** "Add sslrootcert…", and sslrootcert=system where the client understands it: made when a front end asks. */
class CloudFixes implements FixRecipe {
  constructor(private readonly system: boolean) {}

  build(c: ConnString): Fix {
    return ADD_SSLROOTCERT.build(c);
  }

  buildAll(c: ConnString): Fix[] {
    const out: Fix[] = [ADD_SSLROOTCERT.build(c)];
    if (this.system)
      out.push({
        title: 'Use sslrootcert=system (Basic and Standard clusters; libpq 16+, pgx v5)',
        kind: 'edit',
        edits: [setParamEdit(c, 'sslrootcert', 'system')],
      });
    return out;
  }
}
const WITH_SYSTEM = new CloudFixes(true);
const WITHOUT_SYSTEM = new CloudFixes(false);

export function cloudRules(ctx: RuleCtx): void {
  const host = ctx.cloudHost();
  if (host === undefined) return;
  const rootP = ctx.sslrootcert;
  const root = ctx.value(rootP);
  if (root === 'system') {
    if (systemRootOk(ctx)) ctx.addParam('cloud-rootcert-system', rootP, PS_VALUE, ctx.scope.byValue('cloud-rootcert-system', host, SYSTEM_TEXT));
    return;
  }
  if (root || !readsDefaultRootcert(ctx)) return;
  const modeP = ctx.sslmode;
  const eff = ctx.eff();
  if (!eff.verifies || eff.ca !== 'sslrootcert') return;
  // libpq's default file, read and judged once per run (the scope's FileCache and memo).
  // (No closures here: this runs for every string of a document.)
  const scope = ctx.scope;
  const ref = scope.ref(scope.libpqRootcert());
  const verdicts = scope.map<FileRef, CloudCaVerdict>('cloud-ca');
  let v = verdicts.get(ref);
  if (v === undefined) verdicts.set(ref, (v = judgeCloudCa(ref, ctx.now)));
  if (v.state === 'ok') return;
  const code = v.state === 'missing' ? 'cloud-ca-missing' : 'cloud-ca-different';
  // The message depends on the host and the client (per run: the env's, or pgjdbc for a jdbc: URL): made once for each.
  const jdbc = !ctx.env.client && ctx.c.kind === 'jdbc';
  const messages = scope.map<string, string>(jdbc ? 'cloud-ca-text-jdbc' : 'cloud-ca-text');
  let message = messages.get(host);
  if (message === undefined) {
    message = v.state === 'missing' ? missingText(host, who(ctx), ref.path) : differentText(host, who(ctx), ref.path, v);
    messages.set(host, message);
  }
  const fixes = systemRootOk(ctx) ? WITH_SYSTEM : WITHOUT_SYSTEM;
  if (modeP >= 0) ctx.addParam(code, modeP, PS_ALL, message, fixes);
  else ctx.addConn(code, message, fixes);
}
