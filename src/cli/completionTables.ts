/** What the completion scripts share: the command table as shell case tables, quoting. */
import { COMMANDS, CommandSpec, Completion, GROUPS, childrenOf } from './spec';

/** A word for the scripts' case tables: "@file", "@dir", "@none" or the words themselves. */
export function completionWord(c: Completion | undefined): string {
  if (c === undefined || c === 'none') return '@none';
  if (c === 'file' || c === 'dir') return `@${c}`;
  return c.join(' ');
}

/** Single-quoted for sh, bash, zsh. */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The visible flags of a command, as --name. */
export const visibleFlags = (c: CommandSpec): string[] => c.flags.filter((f) => !f.hidden).map((f) => `--${f.name}`);

/**
 * The helper functions both bash and zsh read (their `case` syntax is the same):
 * _crdb_tls_subs PATH, _crdb_tls_flags PATH, _crdb_tls_value PATH --FLAG (empty when the flag takes no value),
 * _crdb_tls_arg PATH N (the Nth positional argument).
 */
export function caseTables(): string {
  const nodes = ['', ...GROUPS.map((g) => g.path)];
  const subs = nodes.map((p) => `    ${sq(p)}) echo ${sq(childrenOf(p).join(' '))} ;;`);
  const flags = [
    `    '') echo '--help --version' ;;`,
    ...GROUPS.map((g) => `    ${sq(g.path)}) echo '--help' ;;`),
    ...COMMANDS.map((c) => `    ${sq(c.path)}) echo ${sq([...visibleFlags(c), ...(c.flags.some((f) => f.name === 'help') ? [] : ['--help'])].join(' '))} ;;`),
  ];
  const values = COMMANDS.flatMap((c) =>
    c.flags.filter((f) => f.kind !== 'bool').map((f) => `    ${sq(`${c.path}|--${f.name}`)}) echo ${sq(completionWord(f.complete))} ;;`),
  );
  const args = COMMANDS.flatMap((c) =>
    c.args.map((a, i) => {
      const last = i === c.args.length - 1 && a.repeat;
      return `    ${last ? `${sq(`${c.path}|`)}*` : sq(`${c.path}|${i}`)}) echo ${sq(completionWord(a.complete))} ;;`;
    }),
  );
  const fn = (name: string, arg: string, lines: string[]) => `${name}() {\n  case ${arg} in\n${lines.join('\n')}\n  esac\n}\n`;
  return [
    fn('_crdb_tls_subs', '"$1"', subs),
    fn('_crdb_tls_flags', '"$1"', flags),
    fn('_crdb_tls_value', '"$1|$2"', values),
    fn('_crdb_tls_arg', '"$1|$2"', args),
  ].join('');
}
