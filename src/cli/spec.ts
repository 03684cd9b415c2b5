/**
 * The command table: every command path with its summary, arguments and flags (kind, default, description).
 * The parser (flagSpec), the help (help.ts) and the completion scripts (completion.ts) all read it, so the
 * flags a command parses, the flags its help lists and the flags a shell completes are the same.
 */
import type { FlagSpec } from './args';
import { BUILD_COMMANDS } from './spec/build';
import { CERT_COMMANDS, CERT_GROUP } from './spec/cert';
import { CLOUD_COMMANDS, CLOUD_GROUPS, FLEET_COMMANDS, FLEET_GROUP, K8S_COMMANDS, K8S_GROUP } from './spec/cloud';
import { TOOL_COMMANDS } from './spec/tools';
import type { CommandSpec, GroupSpec } from './spec/types';

export type { ArgDef, CommandSpec, Completion, FlagDef, GroupSpec } from './spec/types';

export const COMMANDS: readonly CommandSpec[] = [...CERT_COMMANDS, ...TOOL_COMMANDS, ...BUILD_COMMANDS, ...FLEET_COMMANDS, ...K8S_COMMANDS, ...CLOUD_COMMANDS];

export const GROUPS: readonly GroupSpec[] = [CERT_GROUP, FLEET_GROUP, K8S_GROUP, ...CLOUD_GROUPS];

/** The top-level commands, in the order the main help lists them. */
export const TOP_LEVEL = [
  'cert',
  'lint',
  'probe',
  'test-connection',
  'explain',
  'inspect',
  'verify',
  'connect',
  'fleet',
  'monitor',
  'changefeed-uri',
  'k8s',
  'cloud',
  'completion',
  'help',
] as const;

export function findCommand(path: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.path === path);
}

export function findGroup(path: string): GroupSpec | undefined {
  return GROUPS.find((g) => g.path === path);
}

/** The words that may follow `path` ("" for the top level): the subcommands of a group, in table order. */
export function childrenOf(path: string): string[] {
  if (path === '') return [...TOP_LEVEL];
  if (!findGroup(path)) return [];
  const depth = path.split(' ').length;
  const out: string[] = [];
  for (const p of [...GROUPS.map((g) => g.path), ...COMMANDS.map((c) => c.path)]) {
    const w = p.split(' ');
    if (w.length === depth + 1 && p.startsWith(`${path} `) && !out.includes(w[depth])) out.push(w[depth]);
  }
  return out;
}

/** The longest command or group path that `words` start with, and how many words it took. */
export function resolvePath(words: readonly string[]): { path: string; used: number } {
  let path = '';
  let used = 0;
  while (used < words.length && childrenOf(path).includes(words[used])) path = path ? `${path} ${words[used++]}` : words[used++];
  return { path, used };
}

/** What args.ts parseArgs takes for the command at `path`, from the table. */
export function flagSpec(path: string): FlagSpec {
  const c = findCommand(path);
  if (!c) throw new Error(`no command ${path} in the command table`);
  const of = (kind: string) => c.flags.filter((f) => f.kind === kind).map((f) => f.name);
  return { values: of('value'), bools: of('bool'), lists: of('list'), ...(c.dashIsText ? { dashIsText: true } : {}) };
}
