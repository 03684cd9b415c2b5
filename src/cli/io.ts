/** What every command writes to and reads its environment from; tests pass their own. */
export interface Io {
  out: (s: string) => void;
  env: NodeJS.ProcessEnv;
}
