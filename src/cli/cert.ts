import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError, quoteInput } from '../core/errors';
import { parseLifetime } from '../core/pki/duration';
import { parseKeySize, parseKeyType } from '../core/pki/keys';
import { createCa, createClient, createClientCa, createNode, CreateResult } from '../core/certsdir/create';
import { listCertsDir } from '../core/certsdir/list';
import { statusText } from '../core/cockroach/expiry';
import { ParsedArgs, parseArgs } from './args';
import type { Io } from './io';
import { renderTable } from './table';
import { ROTATE_COMMANDS, runRotate } from './rotate';
import { runOutside } from './certOutside';
import { groupHelp } from './help';
import { flagSpec } from './spec';

export const CERT_USAGE = groupHelp('cert');

function certsDirOf(values: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return values['certs-dir'] ?? env.COCKROACH_CERTS_DIR ?? join(homedir(), '.cockroach-certs');
}

function keySizeOf(values: Record<string, string>): number | undefined {
  return values['key-size'] === undefined ? undefined : parseKeySize(values['key-size']);
}

function keyTypeOf(values: Record<string, string>): 'rsa' | 'ecdsa' | undefined {
  return values['key-type'] === undefined ? undefined : parseKeyType(values['key-type']);
}

function report(io: Io, r: CreateResult, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  for (const f of r.files) io.out(`wrote ${f.path} (${f.what}, mode 0${f.mode.toString(8)})\n`);
  io.out(`serial ${r.serial}, expires ${r.notAfter}${r.numCerts && r.numCerts > 1 ? `, ${r.numCerts} certificates in ${r.certPath} (new one first)` : ''}\n`);
}

/** What every create-* command takes alike: the certs dir, the CA key (flag or COCKROACH_CA_KEY), key type and size, lifetime, --overwrite. */
function issuing(a: ParsedArgs, io: Io) {
  return {
    certsDir: certsDirOf(a.values, io.env),
    caKey: a.values['ca-key'] ?? io.env.COCKROACH_CA_KEY ?? '',
    keySize: keySizeOf(a.values),
    keyType: keyTypeOf(a.values),
    lifetimeMs: a.values.lifetime !== undefined ? parseLifetime(a.values.lifetime) : undefined,
    overwrite: a.bools.overwrite,
  };
}

export async function runCert(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const cmd = `cert ${sub ?? ''}`.trim();
  switch (sub) {
    case 'create-ca':
    case 'create-client-ca': {
      const a = parseArgs(rest, flagSpec(cmd), cmd);
      if (a.positionals.length > 0)
        throw new UserError(`${cmd} takes no arguments, got ${quoteInput(a.positionals.join(' '))}: pass paths with --certs-dir and --ca-key.`);
      const opts = {
        ...issuing(a, io),
        allowKeyReuse: a.bools['allow-ca-key-reuse'],
      };
      report(io, await (sub === 'create-ca' ? createCa(opts) : createClientCa(opts)), !!a.bools.json);
      return 0;
    }
    case 'create-node': {
      const a = parseArgs(rest, flagSpec(cmd), cmd);
      report(
        io,
        await createNode({
          ...issuing(a, io),
          hosts: a.positionals,
        }),
        !!a.bools.json,
      );
      return 0;
    }
    case 'create-client': {
      const a = parseArgs(rest, flagSpec(cmd), cmd);
      if (a.positionals.length !== 1)
        throw new UserError(
          `create-client takes exactly one user name, got ${a.positionals.length}: e.g. crdb-tls cert create-client root --certs-dir certs --ca-key my-safe-directory/ca.key.`,
        );
      report(
        io,
        await createClient({
          ...issuing(a, io),
          user: a.positionals[0],
          alsoGeneratePkcs8Key: a.bools['also-generate-pkcs8-key'],
        }),
        !!a.bools.json,
      );
      return 0;
    }
    case 'list': {
      const a = parseArgs(rest, flagSpec(cmd), cmd);
      if (a.positionals.length > 0) throw new UserError(`cert list takes no arguments: pass the directory with --certs-dir.`);
      const dir = certsDirOf(a.values, io.env);
      const entries = listCertsDir(dir, {
        skipPermissionChecks: process.platform === 'win32' || io.env.COCKROACH_SKIP_KEY_PERMISSION_CHECK === 'true',
        gid: process.getgid?.(),
      });
      if (a.bools.json) {
        io.out(JSON.stringify(entries, null, 2) + '\n');
        return 0;
      }
      io.out(`Certificate directory: ${dir}\n`);
      const rows = entries.map((e) => [
        e.usage,
        e.certFile,
        e.keyFile ?? '',
        e.notAfter ? e.notAfter.slice(0, 10).replace(/-/g, '/') : '',
        e.status ? statusText(e.status, e.daysLeft ?? 0, 'days') : '',
        e.notes,
        [...e.errors, ...e.warnings.map((w) => `warning: ${w}`)].join(' '),
      ]);
      io.out(renderTable(['Usage', 'Certificate File', 'Key File', 'Expires', 'Status', 'Notes', 'Error'], rows));
      return 0;
    }
    case 'create-csr':
    case 'check':
    case 'import':
      return runOutside(sub, rest, io, (v) => certsDirOf(v, io.env));
    case 'rotate-node':
    case 'rotate-client':
    case 'rotate-ca':
    case 'reissue-all':
    case 'prune-ca':
    case 'backups':
    case 'rollback':
      return runRotate(sub, rest, io);
    case undefined:
    case 'help':
    case '--help':
      io.out(CERT_USAGE);
      return sub === undefined ? 2 : 0;
    default:
      throw new UserError(
        `unknown cert command ${quoteInput(sub)}: use create-ca, create-client-ca, create-node, create-client, list, create-csr, check, import, or ${ROTATE_COMMANDS.join(', ')} (crdb-tls cert --help).`,
      );
  }
}
