import { UserError, quoteInput } from '../core/errors';

export interface FlagSpec {
  /** Flags that take a value. */
  values: string[];
  /** Boolean flags (also accept --flag=true|false). */
  bools: string[];
  /** Flags that take a value and may be given several times (each value kept, in order). */
  lists?: string[];
  /**
   * Arguments starting with "-" that are not flags of the command are text, not unknown flags
   * (explain: an error message may start with "-"). The command's own flags are still flags.
   */
  dashIsText?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string>;
  bools: Record<string, boolean>;
  /** The values of the `lists` flags; a list flag not given is an empty list. */
  lists: Record<string, string[]>;
}

/** An unknown flag as the message shows it: as typed when it looks like a flag, else quoted in part (it may be pasted text). */
function flagText(a: string): string {
  return /^--?[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/.test(a) ? a : quoteInput(a);
}

function knownFlags(spec: FlagSpec): string {
  return [...spec.values, ...(spec.lists ?? []), ...spec.bools].map((f) => `--${f}`).join(', ');
}

/**
 * Parses `--flag value`, `--flag=value` and boolean flags, as cockroach's (cobra/pflag) command line
 * does. Every value is checked here, for every command: a missing or empty value, an unknown flag
 * (also a single-dash one), a bool that is not true/false are one-line errors naming the flag; a
 * message quotes an argument only in part (quoteInput), so a pasted key is never echoed.
 */
export function parseArgs(argv: string[], spec: FlagSpec, command: string): ParsedArgs {
  const lists = spec.lists ?? [];
  const out: ParsedArgs = { positionals: [], values: {}, bools: {}, lists: Object.fromEntries(lists.map((l) => [l, []])) };
  const takesValue = (name: string) => spec.values.includes(name) || lists.includes(name);
  const isFlag = (a: string) => {
    if (!a.startsWith('--')) return false;
    const name = a.slice(2).split('=')[0];
    return takesValue(name) || spec.bools.includes(name);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-' || (spec.dashIsText && !isFlag(a))) {
      out.positionals.push(a);
      continue;
    }
    if (!a.startsWith('--')) {
      throw new UserError(`${command}: unknown flag ${flagText(a)}: flags are long ones, such as --help; known flags: ${knownFlags(spec)}.`);
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (takesValue(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && isFlag(v))) throw new UserError(`${command}: --${name} needs a value, e.g. --${name}=VALUE.`);
      if (v.trim() === '') throw new UserError(`${command}: --${name} is empty: give it a value, or leave the flag out for its default.`);
      if (lists.includes(name)) out.lists[name].push(v);
      else out.values[name] = v;
    } else if (spec.bools.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : 'true';
      if (v !== 'true' && v !== 'false') throw new UserError(`${command}: --${name} takes true or false, not ${quoteInput(v)}.`);
      out.bools[name] = v === 'true';
    } else {
      throw new UserError(`${command}: unknown flag ${flagText(eq < 0 ? a : a.slice(0, eq))}; known flags: ${knownFlags(spec)}.`);
    }
  }
  return out;
}
