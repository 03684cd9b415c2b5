/** The shape of the command table (src/cli/spec.ts): what the parser, the help and the completion scripts read. */

export type FlagKind = 'value' | 'bool' | 'list';

/** What a value (or a positional argument) completes to: file names, directory names, nothing, or these words. */
export type Completion = 'file' | 'dir' | 'none' | readonly string[];

export interface FlagDef {
  name: string;
  kind: FlagKind;
  /** The value's placeholder in the help (FILE, D, N); value and list flags only. */
  arg?: string;
  /** The default as the command applies it when the flag is left out; "none" when there is none. */
  default: string;
  description: string;
  /** What the value completes to (value and list flags; default: nothing). */
  complete?: Completion;
  /**
   * Parsed, but refused by this command with its own message (a flag of a sibling command that shares
   * the parse): not shown in the help or completed.
   */
  hidden?: boolean;
}

export interface ArgDef {
  name: string;
  description: string;
  /** Given zero or more times (HOST...). */
  repeat?: boolean;
  optional?: boolean;
  complete?: Completion;
}

export interface CommandSpec {
  /** The words after crdb-tls: "cert create-ca", "cloud client-ca add", "inspect". */
  path: string;
  /** One line, for the command lists. */
  summary: string;
  /** The synopsis after "crdb-tls <path> ". */
  usage: string;
  args: ArgDef[];
  flags: FlagDef[];
  /** Prose paragraphs shown before the flags. */
  about?: string;
  /** Prose shown after the flags (exit codes). */
  footer?: string;
  /** Arguments starting with "-" that are not flags are text (explain). */
  dashIsText?: boolean;
}

/** A command that only holds subcommands ("cert", "cloud", "cloud client-ca"). */
export interface GroupSpec {
  path: string;
  summary: string;
  about?: string;
  footer?: string;
}

export const value = (name: string, arg: string, dflt: string, description: string, complete?: Completion): FlagDef => ({
  name,
  kind: 'value',
  arg,
  default: dflt,
  description,
  ...(complete ? { complete } : {}),
});

export const list = (name: string, arg: string, dflt: string, description: string, complete?: Completion): FlagDef => ({
  name,
  kind: 'list',
  arg,
  default: dflt,
  description,
  ...(complete ? { complete } : {}),
});

export const bool = (name: string, description: string, dflt = 'false'): FlagDef => ({ name, kind: 'bool', default: dflt, description });

export const hide = (f: FlagDef): FlagDef => ({ ...f, hidden: true });

export const arg = (name: string, description: string, more: Omit<ArgDef, 'name' | 'description'> = {}): ArgDef => ({ name, description, ...more });

export const JSON_FLAG = bool('json', 'machine-readable output (JSON)');
export const HELP_FLAG = bool('help', 'print this help');
