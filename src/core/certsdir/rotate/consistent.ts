/**
 * Whether a stale journal may be obeyed: journal.ts checks its form and where its paths point; this
 * checks that it agrees with what apply.ts would have left on disk, so that a crafted
 * `.crdb-tls-rotate.lock` (a cloned repository can carry one) cannot remove or replace a file the
 * tool did not back up first. A journal in the commit phase is obeyed only when
 *  - its backup (backupId, in backupRoot or the default folder) exists, is of this certs dir and
 *    passes every check of a rollback (restore.ts: schema, confinement, copies with one link and
 *    their SHA-256, the CA key's proof);
 *  - every path it renames over or removes is listed in that backup, and each one that exists
 *    still has the bytes of its copy there (what the op destroys can be rolled back byte for byte);
 *  - every temp it renames into place is a regular file with one link (never a link to another
 *    file), and every file it keeps aside has the bytes of its copy.
 * A staging journal only removes the temps it lists, whose names have the fixed form (journal.ts).
 */
import { basename } from 'node:path';
import { UserError, errMessage } from '../../errors';
import { defaultBackupRoot, scanBackups } from './backup';
import { fileSha256, lstatOrUndefined } from './files';
import { checkRestorable } from './restore';
import { show } from './schema';
import { BackupFile, Journal } from './types';

/** Why the journal `j` of `certsDir` must not be obeyed (one phrase), or undefined when it may. */
export function journalMismatch(j: Journal, certsDir: string): string | undefined {
  if (j.phase !== 'commit' || !j.backupId) return undefined;
  try {
    return mismatch(j, certsDir, j.backupId);
  } catch (err) {
    if (err instanceof UserError) return errMessage(err).replace(/[\r\n]+/g, ' ');
    throw err;
  }
}

function mismatch(j: Journal, certsDir: string, id: string): string | undefined {
  const root = j.backupRoot ?? defaultBackupRoot(certsDir);
  const { backups, rejected } = scanBackups(root, certsDir);
  const bad = rejected.find((r) => basename(r.dir) === id);
  if (bad) return `its backup ${id} in ${root} has an invalid manifest.json (${bad.reason})`;
  const b = backups.find((x) => x.id === id);
  if (!b) return `its backup ${id} is not in ${root} (or is of another certs dir), so what it would replace or remove is not backed up`;
  try {
    checkRestorable(b, certsDir);
  } catch (err) {
    if (err instanceof UserError) return `its backup ${id} does not pass the checks of a rollback: ${errMessage(err).replace(/[\r\n]+/g, ' ')}`;
    throw err;
  }
  const files = new Map<string, BackupFile>(b.files.map((f) => [f.path, f]));
  const created = new Set(b.created);
  const listed = (p: string, what: string) => (files.has(p) || created.has(p) ? undefined : `it ${what} ${show(p)}, which its backup ${id} does not list`);
  /** `p` would be destroyed: it must be absent, or hold the bytes of its copy in the backup. */
  const backedUp = (p: string, what: string): string | undefined => {
    const sha = fileSha256(p);
    if (sha === null) return undefined;
    const f = files.get(p);
    if (!f) return `it ${what} ${show(p)}, which did not exist when its backup ${id} was made`;
    return f.sha256 === sha ? undefined : `it ${what} ${show(p)}, whose bytes are not the copy in its backup ${id}`;
  };
  for (const op of j.ops) {
    let why: string | undefined;
    if (op.op === 'keep') {
      if (!created.has(op.to)) why = `it keeps a file as ${show(op.to)}, which its backup ${id} does not list`;
      else if (files.get(op.from)?.sha256 !== op.sha256) why = `it keeps ${show(op.from)}, whose copy in its backup ${id} has other bytes`;
    } else if (op.op === 'rename') {
      why = listed(op.path, 'replaces');
      const st = why ? undefined : lstatOrUndefined(op.tmp);
      if (st && (!st.isFile() || st.nlink !== 1)) why = `its temp ${show(op.tmp)} is not a regular file with one link`;
      else if (st) why = backedUp(op.path, 'replaces');
    } else {
      why = listed(op.path, 'removes') ?? backedUp(op.path, 'removes');
    }
    if (why) return why;
  }
  return undefined;
}
