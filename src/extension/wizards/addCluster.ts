/** Add Cluster: a self-hosted certs directory or a CockroachDB Cloud cluster, saved in `cockroachTls.clusters`. */
import * as vscode from 'vscode';
import { basename, join } from 'node:path';
import { hostProblem } from '../../core/pki/names';
import { addClusterSetting, resolvePath } from '../clusters';
import { MultiStep, isButton } from '../input';
import type { UiContext } from '../ui';
import { inside, pathStep } from './shared';
import { CLOUD_HOST_SUFFIX } from '../../core/cockroach/cloud';

const CLUSTER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function addClusterWizard(ctx: UiContext): Promise<void> {
  const title = vscode.l10n.t('Add Cluster');
  const st: { kind?: 'self' | 'cloud'; certsDir?: string; name?: string; caKey?: string; clusterId?: string; host?: string; caCert?: string } = {};
  const done = await MultiStep.run(
    [
      async (input) => {
        const r = await input.pick({
          title,
          step: 1,
          totalSteps: 4,
          placeholder: vscode.l10n.t('What kind of cluster?'),
          items: [
            { label: '$(database) Self-hosted', description: 'a certs directory (ca.crt, node.crt, client.*.crt)' },
            { label: '$(cloud) CockroachDB Cloud', description: 'cluster ID and host' },
          ],
        });
        if (!isButton(r)) st.kind = r.label.includes('Cloud') ? 'cloud' : 'self';
      },
      async (input) => {
        if (st.kind === 'self') {
          await pathStep(
            title,
            () => 2,
            4,
            'Certs directory (it is created by Create CA if missing)',
            () => st.certsDir ?? join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(), 'certs'),
            (v) => (v ? undefined : 'A folder is required.'),
            (v) => {
              st.certsDir = v;
            },
            false,
          )(input);
        } else {
          const r = await input.box({
            title,
            step: 2,
            totalSteps: 4,
            prompt: vscode.l10n.t('Cloud cluster ID (from the Cloud Console URL or `ccloud cluster list`)'),
            value: st.clusterId ?? '',
            validate: (v) => (CLUSTER_ID.test(v.trim()) ? undefined : 'A cluster ID looks like 9e2b5c3a-1f4d-4c8e-9a7b-0123456789ab.'),
          });
          if (!isButton(r)) st.clusterId = r.trim();
        }
      },
      async (input) => {
        if (st.kind === 'self') {
          const r = await input.box({
            title,
            step: 3,
            totalSteps: 4,
            prompt: vscode.l10n.t('CA key path (optional: used to sign new certificates; kept outside the certs directory)'),
            value: st.caKey ?? '',
            validate: (v) => (v && st.certsDir && inside(resolvePath(v), st.certsDir) ? 'Keep the CA key outside the certs directory.' : undefined),
          });
          if (!isButton(r)) st.caKey = r.trim() || undefined;
        } else {
          const r = await input.box({
            title,
            step: 3,
            totalSteps: 4,
            prompt: vscode.l10n.t('SQL host (e.g. my-cluster-1234.abc.aws-us-east-1{0})', CLOUD_HOST_SUFFIX),
            value: st.host ?? '',
            validate: (v) => (v.trim() && !hostProblem(v.trim()) ? undefined : 'A DNS host name is required.'),
          });
          if (!isButton(r)) st.host = r.trim();
        }
      },
      async (input) => {
        const fallback = st.kind === 'self' ? basename(st.certsDir ?? 'cluster') : (st.host ?? 'cloud').split('.')[0];
        const r = await input.box({
          title,
          step: 4,
          totalSteps: 4,
          prompt: vscode.l10n.t('Name shown in the sidebar'),
          value: st.name ?? fallback,
          validate: (v) => (v.trim() ? undefined : 'A name is required.'),
        });
        if (!isButton(r)) st.name = r.trim();
      },
    ],
    () => st,
  );
  if (!done?.name) return;
  if (done.kind === 'self' && done.certsDir)
    await addClusterSetting({ name: done.name, certsDir: done.certsDir, ...(done.caKey ? { caKey: done.caKey } : {}) });
  else if (done.kind === 'cloud' && done.clusterId && done.host) await addClusterSetting({ name: done.name, clusterId: done.clusterId, host: done.host });
  ctx.log.info(`Add Cluster: ${done.name} saved in cockroachTls.clusters`);
  await ctx.model.reload(false);
}
