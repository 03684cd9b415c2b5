/** `crdb-tls k8s secret`: a Kubernetes Secret manifest for a node's or a client's files (core/certsdir/k8s). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError, quoteInput } from '../core/errors';
import { validateUserName } from '../core/pki/names';
import { parseSecretLayout, secretManifest } from '../core/certsdir/k8s';
import { parseArgs } from './args';
import { groupHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const K8S_USAGE = groupHelp('k8s');

export async function runK8s(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help') {
    io.out(K8S_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'secret') throw new UserError(`unknown k8s command ${quoteInput(sub)}: use "crdb-tls k8s secret" (crdb-tls k8s --help).`);
  const a = parseArgs(rest, flagSpec('k8s secret'), 'k8s secret');
  if (a.positionals.length > 0) throw new UserError(`k8s secret takes no arguments, got ${quoteInput(a.positionals.join(' '))}: pass --node or --client USER.`);
  if (a.values.name === undefined)
    throw new UserError('k8s secret needs --name: the Secret name the chart or operator is given, e.g. --name cockroachdb.node.');
  io.out(
    secretManifest({
      certsDir: a.values['certs-dir'] ?? io.env.COCKROACH_CERTS_DIR ?? join(homedir(), '.cockroach-certs'),
      node: a.bools.node,
      ...(a.values.client !== undefined ? { client: validateUserName(a.values.client) } : {}),
      name: a.values.name,
      ...(a.values.namespace !== undefined ? { namespace: a.values.namespace } : {}),
      ...(a.values.layout !== undefined ? { layout: parseSecretLayout(a.values.layout) } : {}),
    }),
  );
  return 0;
}
