import { RotationPlan } from './types';

const oct = (m: number) => `0${m.toString(8)}`;
const day = (iso: string) => iso.slice(0, 10);

/** The plan as lines of text, the same in the CLI (--dry-run) and the editor's confirmation. */
export function planLines(plan: RotationPlan): string[] {
  const lines = [`Plan: ${plan.command}${plan.rollbackOf ? ` to backup ${plan.rollbackOf}` : ''}, certs dir ${plan.certsDir}`];
  if (plan.undoes?.length) lines.push(`  undoes first, newest first: ${plan.undoes.join(', ')}`);
  for (const s of plan.steps) {
    const target = s.action === 'move' ? `${s.path} -> ${s.to} (kept, never deleted)` : s.path;
    const from = s.from && s.from !== plan.rollbackOf ? ` (as of backup ${s.from})` : '';
    lines.push(`  ${s.action.padEnd(8)} ${target}  [${s.what}${s.mode !== undefined ? `, mode ${oct(s.mode)}` : ''}]${from}`);
  }
  for (const c of plan.certs) {
    const names = [...c.sans.dns.map((d) => `DNS:${d}`), ...c.sans.ip.map((i) => `IP:${i}`)];
    lines.push(
      `  new ${c.kind} certificate ${c.path}: CN=${c.commonName}${names.length ? `, ${names.join(', ')}` : ''}, ${c.keyType === 'ecdsa' ? 'ECDSA P-256' : `RSA ${c.keySize}`}`,
    );
    lines.push(
      `      valid ${c.notBefore} to ${c.notAfter} (expires ${day(c.notAfter)})` +
        (c.signedBy === 'self' ? ', self-signed' : `, signed by ${c.signedBy.file} serial ${c.signedBy.serial}`) +
        (c.replaces ? `; replaces serial ${c.replaces.serial} (expires ${day(c.replaces.notAfter)})` : ''),
    );
  }
  for (const r of plan.removedCaCerts ?? []) lines.push(`  drop old CA serial ${r.serial} (CN=${r.subject}, expires ${day(r.notAfter)}) from the bundle`);
  if (plan.steps.length > 0) {
    lines.push(
      `  backup first: ${plan.backupFiles.length ? plan.backupFiles.join(', ') : 'no existing file (the backup records the files created)'} -> a new folder in ${plan.backupRoot}`,
    );
  }
  if (plan.notes.length) lines.push('Then:', ...plan.notes.map((n) => `  - ${n}`));
  return lines;
}
