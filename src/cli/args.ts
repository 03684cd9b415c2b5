import { parseArgs as nodeParseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UserError, errMessage, quoteInput } from '../core/errors';

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

type Kind = 'value' | 'list' | 'bool';

/** An unknown flag as the message shows it: as typed when it looks like a flag, else quoted in part (it may be pasted text). */
function flagText(a: string): string {
  return /^--?[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/.test(a) ? a : quoteInput(a);
}

function knownFlags(spec: FlagSpec): string {
  return [...spec.values, ...(spec.lists ?? []), ...spec.bools].map((f) => `--${f}`).join(', ');
}

/** The error for an argument that starts with "-" and is not a flag of the command; `arg` is the whole argument as given. */
function unknownFlag(arg: string, spec: FlagSpec, command: string): UserError {
  if (!arg.startsWith('--'))
    return new UserError(`${command}: unknown flag ${flagText(arg)}: flags are long ones, such as --help; known flags: ${knownFlags(spec)}.`);
  const eq = arg.indexOf('=');
  return new UserError(`${command}: unknown flag ${flagText(eq < 0 ? arg : arg.slice(0, eq))}; known flags: ${knownFlags(spec)}.`);
}

const needsValue = (name: string, command: string) => new UserError(`${command}: --${name} needs a value, e.g. --${name}=VALUE.`);

/**
 * What node:util parseArgs throws (ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_INVALID_OPTION_VALUE,
 * ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL, or a type error) as the one-line UserError naming the flag and
 * the fix, never with node's ERR_* code. parseArgs below runs node non-strict, which throws none of them
 * today; this keeps a node that does from leaking its codes.
 */
export function nodeParseError(e: unknown, spec: FlagSpec, command: string): UserError {
  const code = (e as { code?: unknown } | undefined)?.code;
  // Node names the option in quotes: "Unknown option '--foo'", "Option '--foo <value>' argument missing".
  const flag = /'(-[^' ]*)/.exec(errMessage(e))?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return unknownFlag(flag, spec, command);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag?.startsWith('--')) {
    const name = flag.slice(2);
    if (spec.bools.includes(name)) return new UserError(`${command}: --${name} takes true or false: give it as --${name} or --${name}=false.`);
    return needsValue(name, command);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return new UserError(`${command} takes no arguments: pass values with flags (known flags: ${knownFlags(spec)}).`);
  return new UserError(`${command}: cannot read the arguments: give flags as --flag=VALUE or --flag VALUE; known flags: ${knownFlags(spec)}.`);
}

/**
 * Parses `--flag value`, `--flag=value` and boolean flags, as cockroach's (cobra/pflag) command line
 * does. node:util parseArgs splits the arguments into tokens (`--` ends the flags, `-` is a positional,
 * list flags are `multiple`); the tokens are checked here, for every command, because node's strict mode
 * differs from pflag: it refuses `--bool=false` and a value starting with "-" (`--reload-cmd -x`), and
 * echoes a whole unknown argument, which may be a pasted key. A missing or empty value, an unknown flag
 * (also a single-dash one), a bool that is not true/false are one-line errors naming the flag; a message
 * quotes an argument only in part (quoteInput), so a pasted key is never echoed.
 */
export function parseArgs(argv: string[], spec: FlagSpec, command: string): ParsedArgs {
  const lists = spec.lists ?? [];
  const kinds = new Map<string, Kind>([
    ...spec.values.map((f): [string, Kind] => [f, 'value']),
    ...lists.map((f): [string, Kind] => [f, 'list']),
    ...spec.bools.map((f): [string, Kind] => [f, 'bool']),
  ]);
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, kind] of kinds) options[name] = kind === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: kind === 'list' };

  let tokens;
  try {
    // Non-strict: node reports unknown flags and missing or odd values as tokens, checked below, instead of throwing.
    ({ tokens } = nodeParseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true }));
  } catch (e) {
    throw nodeParseError(e, spec, command);
  }

  // pflag's rule: `--flag --json` has no value when --json is a flag of the command; `--flag -x` has the value "-x".
  const isFlag = (a: string) => a.startsWith('--') && kinds.has(a.slice(2).split('=')[0]);
  const out: ParsedArgs = { positionals: [], values: {}, bools: {}, lists: Object.fromEntries(lists.map((l) => [l, []])) };
  let textIndex = -1;
  for (const t of tokens) {
    if (t.kind === 'positional') {
      out.positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue; // node gives the arguments after `--` as positionals
    // Single-dash arguments are never flags (node would read -x as a short option, -xyz as three).
    const kind = t.rawName.startsWith('--') ? kinds.get(t.name) : undefined;
    if (kind === undefined) {
      const arg = argv[t.index];
      if (!spec.dashIsText) throw unknownFlag(arg, spec, command);
      if (t.index !== textIndex) out.positionals.push(arg); // -xyz is three tokens of one argument
      textIndex = t.index;
      continue;
    }
    if (kind === 'bool') {
      // Node takes a boolean's value only inline (--json=false), never from the next argument.
      const v = t.value ?? 'true';
      if (v !== 'true' && v !== 'false') throw new UserError(`${command}: --${t.name} takes true or false, not ${quoteInput(v)}.`);
      out.bools[t.name] = v === 'true';
      continue;
    }
    const v = t.value;
    if (v === undefined || (!t.inlineValue && isFlag(v))) throw needsValue(t.name, command);
    if (v.trim() === '') throw new UserError(`${command}: --${t.name} is empty: give it a value, or leave the flag out for its default.`);
    if (kind === 'list') out.lists[t.name].push(v);
    else out.values[t.name] = v;
  }
  return out;
}
