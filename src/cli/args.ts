import { UserError } from '../core/errors';

export interface FlagSpec {
  /** Flags that take a value. */
  values: string[];
  /** Boolean flags (also accept --flag=true|false). */
  bools: string[];
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string>;
  bools: Record<string, boolean>;
}

/** Parses `--flag value`, `--flag=value` and boolean flags, as cockroach's (cobra/pflag) command line does. */
export function parseArgs(argv: string[], spec: FlagSpec, command: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: {}, bools: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (spec.values.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UserError(`${command}: --${name} needs a value.`);
      out.values[name] = v;
    } else if (spec.bools.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : 'true';
      if (v !== 'true' && v !== 'false') throw new UserError(`${command}: --${name} takes true or false, not ${JSON.stringify(v)}.`);
      out.bools[name] = v === 'true';
    } else {
      const known = [...spec.values, ...spec.bools].map((f) => `--${f}`).join(', ');
      throw new UserError(`${command}: unknown flag --${name}; known flags: ${known}.`);
    }
  }
  return out;
}
