/** Create CA and Create Client CA: the key's place and the lifetime, then `cockroach cert create-ca` as the core does it. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CA_CERT, CLIENT_CA_CERT } from '../../core/cockroach/layout';
import { parseLifetime } from '../../core/pki/duration';
import type { SelfHostedCluster } from '../clusters';
import { MultiStep, isButton } from '../input';
import type { Node } from '../tree';
import { requireTrust } from '../trust';
import { UiContext, nodeCluster } from '../ui';
import { caKeyProblem, clusterStep, durationProblem, issue, pathStep } from './shared';
import { DEFAULT_CA_LIFETIME } from '../../core/cockroach/lifetimes';

export async function createCaWizard(ctx: UiContext, node: Node | undefined, client: boolean): Promise<void> {
  const title = client ? vscode.l10n.t('Create Client CA') : vscode.l10n.t('Create CA');
  if (!requireTrust(title, 'write')) return;
  const st: { cluster?: SelfHostedCluster; caKey?: string; lifetime?: string } = {};
  const offset = () => (nodeCluster(node) ? 0 : 1);
  const done = await MultiStep.run(
    [
      clusterStep(ctx, node, title, st, 3),
      pathStep(
        title,
        () => 1 + offset(),
        2 + offset(),
        `Where the ${client ? 'client ' : ''}CA key is kept (outside the certs directory). An existing key is reused after you confirm.`,
        () =>
          (client ? undefined : st.cluster?.caKey) ??
          join(dirname(st.cluster?.certsDir ?? process.cwd()), 'my-safe-directory', client ? 'ca-client.key' : 'ca.key'),
        caKeyProblem(st.cluster?.certsDir, false),
        (v) => {
          st.caKey = v;
        },
        true,
      ),
      async (input) => {
        const r = await input.box({
          title,
          step: 2 + offset(),
          totalSteps: 2 + offset(),
          prompt: vscode.l10n.t('Lifetime (cockroach default {0}, 10 years)', DEFAULT_CA_LIFETIME),
          value: DEFAULT_CA_LIFETIME,
          validate: durationProblem,
        });
        if (!isButton(r)) st.lifetime = r;
      },
    ],
    () => st,
  );
  if (!done?.cluster || !done.caKey || !done.lifetime) return;
  const { cluster, caKey, lifetime } = done;
  const file = join(cluster.certsDir, client ? CLIENT_CA_CERT : CA_CERT);
  let overwrite = false;
  if (existsSync(file)) {
    const a = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} exists. Put the new CA first and keep the current one after it (combined CA for rotation)?', basename(file)),
      { modal: true },
      'Prepend New CA',
    );
    if (a !== 'Prepend New CA') return;
    overwrite = true;
  }
  let allowKeyReuse = false;
  if (existsSync(caKey)) {
    const a = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} exists. Sign the new CA certificate with this key?', caKey),
      { modal: true },
      'Reuse Key',
    );
    if (a !== 'Reuse Key') return;
    allowKeyReuse = true;
  }
  const core = await import('../../core/certsdir/create');
  await issue(ctx, title, () =>
    (client ? core.createClientCa : core.createCa)({
      certsDir: cluster.certsDir,
      caKey,
      lifetimeMs: parseLifetime(lifetime, 'Lifetime'),
      overwrite,
      allowKeyReuse,
    }),
  );
}
