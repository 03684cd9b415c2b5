/** `crdb-tls cloud client-ca ...`: show, set, add, remove, delete, history, rollback. */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { UserError } from '../core/errors';
import {
  ClientCaChange,
  ClientCaPlan,
  applyClientCaPlan,
  clusterText,
  defaultHistoryDir,
  listHistory,
  parseBundleEntries,
  planClientCaChange,
  resolveCluster,
  showClientCa,
} from '../core/cloud';
import { parseArgs } from './args';
import { flagSpec } from './spec';
import type { Io } from './io';
import { renderTable } from './table';
import { caTable, clientFor, json, oneCluster, waitOptions, warn } from './cloudShared';

function historyDir(io: Io): string {
  return defaultHistoryDir(io.env, process.platform, homedir());
}

function planText(p: ClientCaPlan): string {
  const lines = [`cluster ${clusterText(p.cluster)}: plan ${p.cluster.plan}, client CA ${p.current.status}`, p.summary];
  if (p.rollbackTo) lines.push(`rolls back to the bundle saved ${p.rollbackTo.time} (${p.rollbackTo.id}) before "${p.rollbackTo.command}"`);
  return lines.join('\n') + '\n';
}

function changeOf(sub: string, a: { positionals: string[]; values: Record<string, string> }, cmd: string): ClientCaChange {
  const file = a.values['cert-file'] !== undefined ? resolve(a.values['cert-file']) : undefined;
  const noFile = (k: string) => {
    if (a.values[k] !== undefined) throw new UserError(`${cmd} takes no --${k}.`);
  };
  switch (sub) {
    case 'set':
    case 'add':
      noFile('fingerprint');
      if (!file) throw new UserError(`${cmd} needs --cert-file F, the PEM file of the client CA certificate(s) (e.g. ca-client.crt).`);
      return { kind: sub, certFile: file };
    case 'remove':
      return { kind: 'remove', ...(file ? { certFile: file } : {}), ...(a.values.fingerprint !== undefined ? { fingerprint: a.values.fingerprint } : {}) };
    case 'delete':
      noFile('cert-file');
      noFile('fingerprint');
      return { kind: 'delete' };
    default:
      noFile('cert-file');
      noFile('fingerprint');
      return { kind: 'rollback', ...(a.positionals[1] !== undefined ? { id: a.positionals[1] } : {}) };
  }
}

async function runChange(sub: string, argv: string[], io: Io): Promise<number> {
  const cmd = `cloud client-ca ${sub}`;
  const a = parseArgs(argv, flagSpec(cmd), cmd);
  const cluster = oneCluster(a.positionals, cmd, sub === 'rollback' ? 1 : 0);
  const change = changeOf(sub, a, cmd);
  const asJson = !!a.bools.json;
  const wait = waitOptions(io, a, asJson);
  const client = clientFor(io);
  const dir = historyDir(io);
  const now = new Date();
  const plan = await planClientCaChange({
    client,
    cluster,
    change,
    certsDirs: a.lists['certs-dir'].map((d) => resolve(d)),
    force: !!a.bools.force,
    historyDir: dir,
    now,
  });
  if (a.bools['dry-run']) {
    if (asJson) json(io, { dryRun: true, plan });
    else {
      warn(io, plan.warnings);
      io.out(`dry run: nothing was sent\n${planText(plan)}`);
      io.out(caTable(plan.after));
    }
    return 0;
  }
  if (!asJson) warn(io, plan.warnings);
  const r = await applyClientCaPlan(plan, {
    client,
    historyDir: dir,
    now,
    command: ['client-ca', sub, ...argv].join(' '),
    ...(wait ? { wait } : {}),
  });
  if (asJson) {
    json(io, r);
    return 0;
  }
  io.out(planText(plan));
  if (r.saved) io.out(`saved the previous bundle as ${r.saved.id} (crdb-tls cloud client-ca rollback ${plan.cluster.name} ${r.saved.id} puts it back)\n`);
  io.out(`client CA status: ${r.status}${!r.waited && plan.request ? ` (the change is asynchronous: --wait polls until ${plan.waitFor})` : ''}\n`);
  if (r.waited || !plan.request) io.out(caTable(r.cas));
  return 0;
}

async function runShow(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('cloud client-ca show'), 'cloud client-ca show');
  const ref = oneCluster(a.positionals, 'cloud client-ca show');
  const wait = waitOptions(io, a, !!a.bools.json);
  const v = await showClientCa(clientFor(io), ref, new Date(), wait);
  if (a.bools.json) json(io, v);
  else io.out(`cluster ${clusterText(v.cluster)}: plan ${v.cluster.plan}, client CA ${v.status}\n${caTable(v.cas)}`);
  return 0;
}

async function runHistory(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('cloud client-ca history'), 'cloud client-ca history');
  const ref = oneCluster(a.positionals, 'cloud client-ca history');
  const c = await resolveCluster(clientFor(io), ref);
  const now = new Date();
  const entries = listHistory(historyDir(io), { id: c.id, name: c.name }).map((e) => ({ ...e, cas: parseBundleEntries(e.x509_pem_cert, now) }));
  if (a.bools.json) {
    json(io, entries);
    return 0;
  }
  if (entries.length === 0) {
    io.out(`no saved bundles for cluster ${clusterText(c)} (one is saved before each change)\n`);
    return 0;
  }
  io.out(
    renderTable(
      ['Id', 'Saved', 'Status', 'CAs', 'Before'],
      entries.map((e) => [e.id, e.time, e.status, e.cas.map((x) => `${x.subject} (${x.fingerprintSha256.slice(0, 11)}…)`).join('; ') || '-', e.command]),
    ),
  );
  return 0;
}

export async function runClientCa(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'show':
      return runShow(rest, io);
    case 'history':
      return runHistory(rest, io);
    case 'set':
    case 'add':
    case 'remove':
    case 'delete':
    case 'rollback':
      return runChange(sub, rest, io);
    default:
      throw new UserError(
        `${sub === undefined ? 'cloud client-ca needs a command' : `unknown command "cloud client-ca ${sub.slice(0, 40)}"`}: show, set, add, remove, delete, history or rollback (crdb-tls cloud --help).`,
      );
  }
}
