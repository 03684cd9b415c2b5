/**
 * The key-file mode rules of the two programs that load our private keys from files, each written
 * once: libpq's for `sslkey` (psql, psycopg, anything on libpq) and the cockroach loader's for the
 * keys of a certs dir. Lint, inspect, test-connection and `cert list` all call these.
 *
 * The stat and the ids of the process come in as parameters: a rule never reads the process.
 */

/** What the rules read from a key file's lstat/stat. */
export interface KeyStat {
  mode: number;
  uid: number;
  gid: number;
  isFile(): boolean;
}

/** "0640": the permission bits, as the messages print them. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** Go's os.FileMode text ("-rw-r-----") with the octal after it, as cockroach's message shows a mode. */
export function modeText(mode: number): string {
  const p = mode & 0o777;
  const rwx = (b: number) => `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  return `-${rwx(p >> 6)}${rwx(p >> 3)}${rwx(p)} (${octalMode(p)})`;
}

/** libpq's message when it refuses a key for its mode (fe-secure-openssl.c), with the file's path. */
export function libpqGroupWorldText(path: string): string {
  return `private key file "${path}" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root`;
}

export interface LibpqKeyProblem {
  kind: 'not-regular' | 'group-or-world';
  /** Permission bits of the file. */
  mode: number;
  /** The most libpq allows for this file's owner: 0640 when root owns it, else 0600. */
  max: number;
  /** Our sentence: what is wrong and why libpq refuses it, naming the file (no fix). */
  message: string;
  /** What libpq itself prints. */
  libpqText: string;
  /** The command that fixes it (a chown too when only that makes the key readable after the chmod). */
  fix: string;
  /** The same fix as data, for a front end that applies it: the mode to set, and the owner to give it when `fix` has a chown. */
  apply?: { mode: number; owner?: number };
}

/** Bits libpq refuses: root-owned, group write/exec and anything for others; any other owner, any group or other bit. */
const LIBPQ_ROOT_FORBIDDEN = 0o037;
const LIBPQ_OTHER_FORBIDDEN = 0o077;

/**
 * libpq's rule for the client key (fe-secure-openssl.c, initialize_SSL; the same from PostgreSQL 14
 * to the newest release): the key must be a regular file; then, by the file's OWNER only, a
 * root-owned key may be at most u=rw,g=r (0640) and any other key at most u=rw (0600) (the owner's
 * own bits are not checked, so 0700 passes). Who runs the client does not enter the verdict: libpq
 * never compares the owner with geteuid(), so psql running as root refuses a 0640 key owned by
 * `nobody` and accepts a 0640 key owned by root. Whether the process can then read the file is the
 * operating system's answer, not this rule's.
 *
 * `euid` is the effective user id of the client: undefined where there are no POSIX modes
 * (Windows: libpq skips the check, and so does this rule); otherwise used only for the fix, which
 * adds a chown when the file belongs to neither root nor the client, so it can still be read after
 * the chmod.
 */
export function libpqKeyModeProblem(path: string, st: Pick<KeyStat, 'mode' | 'uid' | 'isFile'>, euid: number | undefined): LibpqKeyProblem | undefined {
  const mode = st.mode & 0o777;
  const rootOwned = st.uid === 0;
  const max = rootOwned ? 0o640 : 0o600;
  if (!st.isFile()) {
    return {
      kind: 'not-regular',
      mode,
      max,
      message: `private key file ${path} is not a regular file; libpq refuses it`,
      libpqText: `private key file "${path}" is not a regular file`,
      fix: `point sslkey at the key file itself`,
    };
  }
  if (euid === undefined) return undefined;
  if ((mode & (rootOwned ? LIBPQ_ROOT_FORBIDDEN : LIBPQ_OTHER_FORBIDDEN)) === 0) return undefined;
  const allowed = rootOwned ? 'u=rw,g=r (0640) for a key owned by root' : 'u=rw (0600)';
  const owner = !rootOwned && euid !== 0 && st.uid !== euid ? euid : undefined;
  const chown = owner !== undefined ? ` and chown ${owner} ${path} (it belongs to uid ${st.uid}, the client runs as uid ${owner})` : '';
  return {
    kind: 'group-or-world',
    mode,
    max,
    message: `private key file ${path} has group or world access (mode ${octalMode(mode)}); libpq refuses it and allows at most ${allowed}`,
    libpqText: libpqGroupWorldText(path),
    fix: `chmod 600 ${path}${chown}`,
    apply: owner !== undefined ? { mode: 0o600, owner } : { mode: 0o600 },
  };
}

/** cockroach's limits (pkg/security: maxKeyPermissions, maxGroupKeyPermissions). */
export const COCKROACH_MAX_KEY_MODE = 0o700;
export const COCKROACH_MAX_ROOT_GROUP_KEY_MODE = 0o740;

/**
 * The cockroach loader's rule for a key of the certs dir (checkFilePermissions): at most 0700, or
 * 0740 when the file is owned by root AND its group is the process's group (`processGid`; undefined
 * when unknown: the 0700 limit applies). The loader skips it on Windows and with
 * COCKROACH_SKIP_KEY_PERMISSION_CHECK=true: the caller decides that. Returns cockroach's message
 * with the fix, or undefined.
 */
export function cockroachKeyModeProblem(path: string, st: Pick<KeyStat, 'mode' | 'uid' | 'gid'>, processGid: number | undefined): string | undefined {
  const perm = st.mode & 0o777;
  const rootGroup = st.uid === 0 && processGid !== undefined && st.gid === processGid;
  const max = rootGroup ? COCKROACH_MAX_ROOT_GROUP_KEY_MODE : COCKROACH_MAX_KEY_MODE;
  if ((perm & ~max) === 0) return undefined;
  return `key file ${path} has permissions ${modeText(perm)}, exceeds ${modeText(max)}: run "chmod 600 ${path}".`;
}
