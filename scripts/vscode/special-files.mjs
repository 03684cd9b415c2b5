// What the in-editor runs open the workspace with that git cannot hold: a FIFO named ca.crt in a
// certs dir, and a .env whose sslrootcert is /dev/zero. Reading either blocks or never ends, so a
// workspace like this must still open, list its certs dirs, lint, and answer commands
// (test/vscode/special-files.test.ts; issue 10). Made in the temp copy of the fixture before the
// workbench opens it, so that activation (workspaceContains:**/ca.crt) already meets the FIFO.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SPECIAL_DIR = 'special-files';

export function addSpecialFiles(workspace) {
  const dir = join(workspace, SPECIAL_DIR);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const fifo = join(dir, 'certs', 'ca.crt');
  if (!existsSync(fifo)) execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgresql://root@localhost:26257/db?sslmode=verify-full&sslrootcert=/dev/zero\n');
}
