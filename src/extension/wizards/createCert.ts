/** Create Node Certificate and Create Client Certificate: hosts or user, the signing CA key, the lifetime. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CLIENT_CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName } from '../../core/cockroach/layout';
import { parseLifetime } from '../../core/pki/duration';
import { normalizeUserName, userNameProblem } from '../../core/pki/names';
import type { SelfHostedCluster } from '../clusters';
import { MultiStep, isButton } from '../input';
import type { Node } from '../tree';
import { requireTrust } from '../trust';
import { UiContext, confirmReplace, nodeCluster } from '../ui';
import { WizardStep, caKeyProblem, clusterStep, durationProblem, hostsProblem, issue, pathStep, splitHosts } from './shared';
import { DEFAULT_CERT_LIFETIME } from '../../core/cockroach/lifetimes';

/** Arguments of Create Client Certificate when a quick fix starts it: the user and the certs dir are known. */
export interface ClientPreset {
  user?: string;
  certsDir?: string;
  /** Create Node Certificate: a host to add to the current node certificate's (hostname-mismatch fix). */
  addHost?: string;
}

function currentNodeHosts(ctx: UiContext, certsDir: string): string | undefined {
  const e = ctx.model.states.flatMap((s) => s.entries).find((x) => x.certPath === join(certsDir, NODE_CERT));
  return e?.sans ? [...e.sans.dns, ...e.sans.ip].join(' ') : undefined;
}

function presetNode(ctx: UiContext, p: ClientPreset): Node | undefined {
  if (!p.certsDir) return undefined;
  const known = ctx.tree.getChildren().find((n) => n.type === 'cluster' && n.state.cluster.kind === 'self-hosted' && n.state.cluster.certsDir === p.certsDir);
  if (known) return known;
  const cluster: SelfHostedCluster = { kind: 'self-hosted', name: basename(p.certsDir), certsDir: p.certsDir, source: 'workspace' };
  return { type: 'cluster', id: `dir:${p.certsDir}`, state: { cluster, key: `dir:${p.certsDir}`, entries: [] } };
}

export async function createCertWizard(ctx: UiContext, arg: Node | ClientPreset | undefined, kind: 'node' | 'client'): Promise<void> {
  const title = kind === 'node' ? vscode.l10n.t('Create Node Certificate') : vscode.l10n.t('Create Client Certificate');
  if (!requireTrust(title, 'write')) return;
  const preset = arg && !('type' in arg) ? arg : undefined;
  const node = preset ? presetNode(ctx, preset) : (arg as Node | undefined);
  const st: { cluster?: SelfHostedCluster; hosts?: string[]; user?: string; pkcs8?: boolean; caKey?: string; lifetime?: string } = { user: preset?.user };
  const offset = nodeCluster(node) ? 0 : 1;
  const total = (kind === 'node' ? 3 : 4) + offset;
  const steps: WizardStep[] = [clusterStep(ctx, node, title, st, kind === 'node' ? 4 : 5)];
  let n = offset;
  if (kind === 'node') {
    const s = ++n;
    steps.push(async (input) => {
      const r = await input.box({
        title,
        step: s,
        totalSteps: total,
        prompt: vscode.l10n.t('Every DNS name and IP address clients and other nodes use for this node, separated by spaces'),
        value: [(st.cluster && currentNodeHosts(ctx, st.cluster.certsDir)) ?? 'localhost 127.0.0.1', ...(preset?.addHost ? [preset.addHost] : [])]
          .join(' ')
          .split(' ')
          .filter((h, i, all) => h && all.indexOf(h) === i)
          .join(' '),
        validate: hostsProblem,
      });
      if (!isButton(r)) st.hosts = splitHosts(r);
    });
  } else {
    const s1 = ++n;
    steps.push(async (input) => {
      const r = await input.box({
        title,
        step: s1,
        totalSteps: total,
        prompt: vscode.l10n.t('SQL user: the certificate CN, which CockroachDB maps to this user (case is folded)'),
        value: st.user ?? '',
        validate: (v) => (v ? userNameProblem(normalizeUserName(v)) : 'A user name is required.'),
      });
      if (!isButton(r)) st.user = normalizeUserName(r);
    });
    const s2 = ++n;
    steps.push(async (input) => {
      const r = await input.pick({
        title,
        step: s2,
        totalSteps: total,
        placeholder: vscode.l10n.t('Also write a PKCS#8 key (.key.pk8) for Java/JDBC?'),
        items: [{ label: 'No' }, { label: 'Yes', description: 'client.<user>.key.pk8, DER PKCS#8' }],
      });
      if (!isButton(r)) st.pkcs8 = r.label === 'Yes';
    });
  }
  const s3 = ++n;
  const clientCa = () => kind === 'client' && !!st.cluster && existsSync(join(st.cluster.certsDir, CLIENT_CA_CERT));
  steps.push(
    pathStep(
      title,
      () => s3,
      total,
      `The ${clientCa() ? 'client CA key (ca-client.crt exists, so it signs client certificates)' : 'CA key that signed ca.crt'}`,
      () => (clientCa() ? '' : st.cluster?.caKey) ?? '',
      (v) => caKeyProblem(st.cluster?.certsDir, true)(v),
      (v) => {
        st.caKey = v;
      },
      false,
    ),
  );
  const s4 = ++n;
  steps.push(async (input) => {
    const r = await input.box({
      title,
      step: s4,
      totalSteps: total,
      prompt: vscode.l10n.t("Lifetime (cockroach default {0}, 5 years; at most the CA's)", DEFAULT_CERT_LIFETIME),
      value: DEFAULT_CERT_LIFETIME,
      validate: durationProblem,
    });
    if (!isButton(r)) st.lifetime = r;
  });
  const done = await MultiStep.run(steps, () => st);
  if (!done?.cluster || !done.caKey || !done.lifetime) return;
  const { cluster, caKey } = done;
  const lifetimeMs = parseLifetime(done.lifetime, 'Lifetime');
  const core = await import('../../core/certsdir/create');
  if (kind === 'node') {
    if (!done.hosts || !(await confirmReplace([join(cluster.certsDir, NODE_CERT), join(cluster.certsDir, NODE_KEY)]))) return;
    await issue(ctx, title, () => core.createNode({ certsDir: cluster.certsDir, caKey, hosts: done.hosts ?? [], lifetimeMs, overwrite: true }));
  } else {
    const user = done.user;
    if (!user) return;
    const key = join(cluster.certsDir, clientKeyName(user));
    if (!(await confirmReplace([join(cluster.certsDir, clientCertName(user)), key, ...(done.pkcs8 ? [key + '.pk8'] : [])]))) return;
    await issue(ctx, title, () =>
      core.createClient({ certsDir: cluster.certsDir, caKey, user, alsoGeneratePkcs8Key: done.pkcs8, lifetimeMs, overwrite: true }),
    );
  }
}
