/** `crdb-tls help ...` and `--help`: usage, summary and each flag with its default, from the command table. */
import { UserError, quoteInput } from '../core/errors';
import { COMMANDS, FlagDef, TOP_LEVEL, childrenOf, findCommand, findGroup, resolvePath } from './spec';

/** A flag as the help names it: --name ARG (a list flag: --name ARG...). */
export function flagSynopsis(f: FlagDef): string {
  return f.kind === 'bool' ? `--${f.name}` : `--${f.name} ${f.arg ?? 'VALUE'}${f.kind === 'list' ? '...' : ''}`;
}

function columns(rows: [string, string][], indent = '  '): string {
  const w = Math.min(32, Math.max(0, ...rows.map(([l]) => l.length)));
  return rows.map(([l, r]) => (l.length > w ? `${indent}${l}\n${indent}${' '.repeat(w)}  ${r}` : `${indent}${l.padEnd(w)}  ${r}`)).join('\n') + '\n';
}

function para(s: string | undefined): string {
  return s ? `\n${s.replace(/\n+$/, '')}\n` : '';
}

/** The help of one command: the usage line, the summary and prose, the arguments, each flag with its default. */
export function commandHelp(path: string): string {
  const c = findCommand(path);
  if (!c) throw new Error(`no command ${path} in the command table`);
  const flags = c.flags.filter((f) => !f.hidden);
  const args = c.args.length ? `\nArguments:\n${columns(c.args.map((a) => [`${a.name}${a.repeat ? '...' : ''}`, a.description]))}` : '';
  const list = flags.length
    ? `\nFlags:\n${columns(flags.map((f) => [flagSynopsis(f), `${f.description}${f.kind === 'list' && !f.description.includes('repeatable') ? ' (repeatable)' : ''}; default: ${f.default}`]))}`
    : '';
  return `Usage: crdb-tls ${c.path} ${c.usage}\n\n${c.summary}\n${para(c.about)}${args}${list}${para(c.footer)}`;
}

function commandsOf(path: string): [string, string][] {
  return childrenOf(path).map((w) => {
    const p = `${path} ${w}`;
    const c = findCommand(p);
    return [c ? `${w} ${c.usage}`.replace(/ \[flags\]$/, '') : `${w} ...`, c?.summary ?? findGroup(p)?.summary ?? ''];
  });
}

/** The help of a group (cert, cloud, cloud client-ca, fleet, k8s): each subcommand with its usage and summary. */
export function groupHelp(path: string): string {
  const g = findGroup(path);
  if (!g) throw new Error(`no group ${path} in the command table`);
  const rows = commandsOf(path).map(([l, r]) => `  ${l}\n      ${r}\n`);
  return (
    `Usage: crdb-tls ${path} <command> [flags]\n\n${g.summary}\n${para(g.about)}\nCommands:\n` +
    rows.join('') +
    para(g.footer) +
    `\nRun "crdb-tls help ${path} COMMAND" (or crdb-tls ${path} COMMAND --help) for a command's flags and their defaults.\n`
  );
}

/** `crdb-tls --help`: every command of the table with its summary. */
export function mainHelp(): string {
  const top = (w: string): string => findCommand(w)?.summary ?? findGroup(w)?.summary ?? '';
  const width = Math.max(...TOP_LEVEL.map((w) => w.length)) + 1;
  const lines: string[] = [];
  for (const w of TOP_LEVEL) {
    lines.push(`  ${w.padEnd(width)} ${top(w)}`);
    if (findGroup(w)) for (const p of COMMANDS.filter((c) => c.path.startsWith(`${w} `))) lines.push(`    ${p.path.padEnd(width + 10)} ${p.summary}`);
  }
  return `crdb-tls: CockroachDB TLS certificates from the command line

Usage: crdb-tls <command> [flags]

${lines.join('\n')}

Run "crdb-tls help COMMAND [SUBCOMMAND]" or "crdb-tls COMMAND --help" for a command's flags and their defaults.
Most commands take --json for machine-readable output. Exit code 0 on success, 1 on error.
`;
}

/** The help for the words after `crdb-tls help`: the main help, a group's or a command's. */
export function helpFor(words: readonly string[]): string {
  if (words.length === 0) return mainHelp();
  const { path, used } = resolvePath(words);
  if (used < words.length || path === '') {
    const known = path ? `"crdb-tls help ${path}" lists its commands` : 'run "crdb-tls --help" for the list';
    throw new UserError(`help: unknown command ${quoteInput(words.slice(0, used + 1).join(' '))}: ${known}.`);
  }
  return findGroup(path) ? groupHelp(path) : commandHelp(path);
}

/** The command path and whether the arguments ask for its help (`--help` before any `--`). */
export function helpRequest(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--');
  const before = end < 0 ? argv : argv.slice(0, end);
  if (!before.includes('--help')) return undefined;
  const { path } = resolvePath(before);
  return path === '' ? undefined : path;
}
