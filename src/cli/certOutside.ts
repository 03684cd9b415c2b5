/** `crdb-tls cert create-csr | check | import`: certificates from another CA (core/certsdir check, import, csr, k8s). */
import { basename, join } from 'node:path';
import { UserError, quoteInput } from '../core/errors';
import { readInputBytes } from '../core/input';
import { parseKeySize, parseKeyType } from '../core/pki/keys';
import { validateUserName } from '../core/pki/names';
import type { CertRole } from '../core/cockroach/certrules';
import { CheckResult, checkCertificate } from '../core/certsdir/check';
import { createCsr } from '../core/certsdir/csr';
import { ImportSource, applyImport, importPlanJson, planImport } from '../core/certsdir/import';
import { certManagerSource, secretSource } from '../core/certsdir/k8s';
import { MAX_TEXT_BYTES } from '../core/input';
import { parseArgs } from './args';
import { flagSpec } from './spec';
import type { Io } from './io';

/** `--as client USER` takes two words: folded into one `--as=client\\0USER` before the flags are parsed. */
export function foldAs(argv: string[], cmd: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = a === '--as' ? argv[i + 1] : a.startsWith('--as=') ? a.slice(5) : undefined;
    if (value === undefined) {
      out.push(a);
      continue;
    }
    if (a === '--as') i++;
    if (value === 'client') {
      const user = argv[++i];
      if (user === undefined || user.startsWith('--')) throw new UserError(`${cmd}: --as client needs the user, e.g. --as client root.`);
      out.push(`--as=client\0${user}`);
    } else out.push(`--as=${value ?? ''}`);
  }
  return out;
}

export function parseRole(value: string, cmd: string): CertRole {
  if (value === 'node' || value === 'ca' || value === 'client-ca') return { as: value };
  if (value.startsWith('client\0')) return { as: 'client', user: validateUserName(value.slice(7)) };
  throw new UserError(`${cmd}: --as ${quoteInput(value)} is not a role: use --as node, --as client USER, --as ca or --as client-ca.`);
}

const read = (path: string, flag: string) => ({ file: path, bytes: readInputBytes(path, { what: flag }) });

function printCheck(io: Io, r: CheckResult): void {
  const role = r.role.as === 'client' ? `client ${r.role.user}` : r.role.as;
  if (r.ok) io.out(`${r.file}: ok as ${role} (${r.subject ?? ''}, issuer ${r.issuer ?? ''}, ${r.publicKey ?? ''}, expires ${r.notAfter ?? ''})\n`);
  else {
    io.out(`${r.file}: ${r.failures.length} problem${r.failures.length === 1 ? '' : 's'} as ${role}\n`);
    for (const f of r.failures) io.out(`  - ${f.message}\n`);
  }
}

export async function runOutside(
  sub: 'create-csr' | 'check' | 'import',
  rest: string[],
  io: Io,
  certsDirOf: (v: Record<string, string>) => string,
): Promise<number> {
  const cmd = `cert ${sub}`;
  if (sub === 'create-csr') {
    const a = parseArgs(rest, flagSpec(cmd), cmd);
    const [kind, ...args] = a.positionals;
    if (kind !== 'node' && kind !== 'client')
      throw new UserError(
        `create-csr needs node HOST... or client USER, got ${kind === undefined ? 'nothing' : quoteInput(kind)}: e.g. crdb-tls cert create-csr node localhost --certs-dir certs.`,
      );
    if (kind === 'client' && args.length !== 1)
      throw new UserError(`create-csr client takes exactly one user name, got ${args.length}: e.g. crdb-tls cert create-csr client root --certs-dir certs.`);
    const r = await createCsr({
      certsDir: certsDirOf(a.values),
      kind,
      ...(kind === 'node' ? { hosts: args } : { user: args[0] }),
      keyType: a.values['key-type'] !== undefined ? parseKeyType(a.values['key-type']) : undefined,
      keySize: a.values['key-size'] !== undefined ? parseKeySize(a.values['key-size']) : undefined,
      overwrite: a.bools.overwrite,
      ...(a.values['backup-dir'] ? { backupDir: a.values['backup-dir'] } : {}),
    });
    if (a.bools.json) io.out(JSON.stringify(r, null, 2) + '\n');
    else {
      for (const f of r.files) io.out(`${f.action === 'replace' ? 'replaced' : 'wrote'} ${f.path} (${f.what}, mode 0${f.mode.toString(8)})\n`);
      if (r.backup)
        io.out(`backup ${r.backup.id} in ${r.backup.dir} of the files replaced (crdb-tls cert rollback --certs-dir ${certsDirOf(a.values)} puts them back)\n`);
      if (r.staleCert)
        io.out(
          `${r.staleCert} belongs to the old key: CockroachDB fails to load it with the new ${basename(r.keyPath)} until the CA signs ${basename(r.csrPath)} and you import the result (or roll back)\n`,
        );
      io.out(
        `send ${r.csrPath} to the CA; then: crdb-tls cert import --certs-dir ${certsDirOf(a.values)} --as ${kind}${kind === 'client' ? ` ${r.commonName}` : ''} --cert <signed.crt> --key ${r.keyPath} --ca <ca.crt>\n`,
      );
    }
    return 0;
  }
  const argv = foldAs(rest, cmd);
  if (sub === 'check') {
    const a = parseArgs(argv, flagSpec(cmd), cmd);
    if (a.positionals.length === 0)
      throw new UserError('cert check needs the certificate file(s): e.g. crdb-tls cert check node.crt --ca ca.crt --key node.key --host localhost.');
    const role = a.values.as !== undefined ? parseRole(a.values.as, cmd) : undefined;
    const ca = a.values.ca !== undefined ? read(a.values.ca, '--ca') : undefined;
    const key = a.values.key !== undefined ? read(a.values.key, '--key') : undefined;
    const results = a.positionals.map((file) =>
      checkCertificate({
        certFile: file,
        cert: readInputBytes(file, { what: 'the certificate to check' }),
        ...(role ? { role } : {}),
        hosts: a.lists.host,
        ...(ca ? { ca } : {}),
        ...(key ? { key } : {}),
      }),
    );
    if (a.bools.json) io.out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
    else for (const r of results) printCheck(io, r);
    return results.every((r) => r.ok) ? 0 : 1;
  }
  const a = parseArgs(argv, flagSpec(cmd), cmd);
  if (a.positionals.length > 0)
    throw new UserError(`cert import takes no arguments, got ${quoteInput(a.positionals.join(' '))}: pass the files with --cert, --key and --ca.`);
  if (a.values.as === undefined)
    throw new UserError('cert import needs --as node, --as client USER, --as ca or --as client-ca: the role decides the file names.');
  const role = parseRole(a.values.as, cmd);
  const sources = ['cert', 'from-cert-manager', 'from-k8s-secret'].filter((f) => a.values[f] !== undefined);
  if (sources.length !== 1)
    throw new UserError(
      `cert import needs exactly one of --cert F, --from-cert-manager DIR or --from-k8s-secret FILE, got ${sources.length ? sources.map((s) => `--${s}`).join(' and ') : 'none'}.`,
    );
  let source: ImportSource;
  if (a.values.cert !== undefined) {
    source = {
      cert: read(a.values.cert, '--cert'),
      ...(a.values.key !== undefined ? { key: read(a.values.key, '--key') } : {}),
      ...(a.values.ca !== undefined ? { ca: read(a.values.ca, '--ca') } : {}),
    };
  } else {
    if (a.values.key !== undefined) throw new UserError(`--key goes with --cert: --${sources[0]} brings its own key.`);
    source =
      a.values['from-cert-manager'] !== undefined
        ? certManagerSource(a.values['from-cert-manager'])
        : await secretSource(
            readInputBytes(a.values['from-k8s-secret'], { what: '--from-k8s-secret', maxBytes: MAX_TEXT_BYTES }).toString('utf8'),
            a.values['from-k8s-secret'],
            role,
          );
    if (a.values.ca !== undefined) source.ca = read(a.values.ca, '--ca');
  }
  const certsDir = certsDirOf(a.values);
  const plan = planImport({ certsDir, role, source, overwrite: a.bools.overwrite, hosts: a.lists.host });
  if (!plan.ok) {
    if (a.bools.json) io.out(JSON.stringify(importPlanJson(plan), null, 2) + '\n');
    else {
      io.out(`import refused, nothing was changed: ${plan.failures.length} problem${plan.failures.length === 1 ? '' : 's'}\n`);
      for (const f of plan.failures) io.out(`  - ${f.message}\n`);
    }
    return 1;
  }
  const r = applyImport(plan, { ...(a.values['backup-dir'] ? { backupDir: a.values['backup-dir'] } : {}) });
  if (a.bools.json) io.out(JSON.stringify({ ...importPlanJson(plan), files: r.files, backup: r.backup ?? null }, null, 2) + '\n');
  else {
    for (const f of r.files) io.out(`${f.action === 'replace' ? 'replaced' : 'wrote'} ${f.path} (${f.what}, mode 0${f.mode.toString(8)})\n`);
    if (plan.caBundle?.action === 'joined')
      io.out(`${join(certsDir, plan.caBundle.file)} now holds ${plan.caBundle.certs} CA certificates (the issuing CA joined the ones already trusted)\n`);
    if (r.backup) io.out(`backup ${r.backup.id} in ${r.backup.dir} (crdb-tls cert rollback --certs-dir ${certsDir} undoes it)\n`);
    io.out(`imported ${basename(source.cert.file)} as ${plan.writes.find((w) => w.what === 'certificate')?.path ?? plan.caBundle?.file ?? ''}\n`);
  }
  return 0;
}
