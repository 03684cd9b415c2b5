/**
 * Certificates from another CA: Create Certificate Signing Request (a key and a CSR to hand to a
 * corporate CA, Vault, cert-manager or easy-rsa) and Import Certificate (a certificate, key and CA
 * from files, a cert-manager folder or a Kubernetes Secret, checked against CockroachDB's rules
 * first: every failure is shown and nothing is written).
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MAX_TEXT_BYTES, readInputBytes } from '../../core/input';
import { normalizeUserName, userNameProblem } from '../../core/pki/names';
import type { CertRole } from '../../core/cockroach/certrules';
import type { KeyType } from '../../core/pki/keys';
import type { SelfHostedCluster } from '../clusters';
import { MultiStep, isButton } from '../input';
import { confirmation } from '../rotate';
import type { Node } from '../tree';
import { requireTrust } from '../trust';
import { UiContext, nodeCluster, reportError } from '../ui';
import { WizardStep, clusterStep, hostsProblem, splitHosts } from './shared';

const KEY_TYPES: (vscode.QuickPickItem & { keyType: KeyType })[] = [
  { label: 'RSA 2048', description: 'what cockroach cert makes; every client reads it', keyType: 'rsa' },
  { label: 'ECDSA P-256', description: 'smaller and much faster to issue; CockroachDB and the common clients accept it', keyType: 'ecdsa' },
];

/** Returns the files written (for the tests), or undefined when cancelled or refused. */
export async function createCsrWizard(ctx: UiContext, node: Node | undefined): Promise<string[] | undefined> {
  const title = vscode.l10n.t('Create Certificate Signing Request');
  if (!requireTrust(title, 'write')) return undefined;
  const st: { cluster?: SelfHostedCluster; kind?: 'node' | 'client'; hosts?: string[]; user?: string; keyType?: KeyType } = {};
  const offset = nodeCluster(node) ? 0 : 1;
  const total = 3 + offset;
  const steps: WizardStep[] = [
    clusterStep(ctx, node, title, st, total),
    async (input) => {
      const r = await input.pick({
        title,
        step: 1 + offset,
        totalSteps: total,
        placeholder: vscode.l10n.t('What the certificate is for'),
        items: [
          { label: 'Node', description: 'node.key + node.csr: CN=node, the hosts as SANs, serverAuth and clientAuth' },
          { label: 'Client', description: 'client.<user>.key + client.<user>.csr: CN=the SQL user, clientAuth' },
        ],
      });
      if (!isButton(r)) st.kind = r.label === 'Node' ? 'node' : 'client';
    },
    async (input) => {
      if (st.kind === 'node') {
        const r = await input.box({
          title,
          step: 2 + offset,
          totalSteps: total,
          prompt: vscode.l10n.t('Every DNS name and IP address clients and other nodes use for this node, separated by spaces'),
          value: 'localhost 127.0.0.1',
          validate: hostsProblem,
        });
        if (!isButton(r)) st.hosts = splitHosts(r);
      } else {
        const r = await input.box({
          title,
          step: 2 + offset,
          totalSteps: total,
          prompt: vscode.l10n.t('SQL user: the certificate CN, which CockroachDB maps to this user (case is folded)'),
          validate: (v) => (v ? userNameProblem(normalizeUserName(v)) : 'A user name is required.'),
        });
        if (!isButton(r)) st.user = normalizeUserName(r);
      }
    },
    async (input) => {
      const r = await input.pick({ title, step: 3 + offset, totalSteps: total, placeholder: vscode.l10n.t('Key type'), items: KEY_TYPES });
      if (!isButton(r)) st.keyType = r.keyType;
    },
  ];
  const done = await MultiStep.run(steps, () => st);
  if (!done?.cluster || !done.kind || !done.keyType) return undefined;
  const { cluster, kind, keyType } = done;
  const base = kind === 'node' ? 'node' : `client.${done.user}`;
  // Replacing a key is asked for with what it means; only then is overwrite passed (the old files are backed up first).
  const existing = [`${base}.key`, `${base}.csr`].filter((f) => existsSync(join(cluster.certsDir, f)));
  if (existing.length > 0) {
    const lines = [
      ...existing.map((f) => `replace ${join(cluster.certsDir, f)}`),
      'The files replaced are backed up first (Roll Back restores them).',
      ...(existing.includes(`${base}.key`) && existsSync(join(cluster.certsDir, `${base}.crt`))
        ? [`${base}.crt belongs to the old key: CockroachDB cannot use it with the new key until the CA signs the new CSR and you import it.`]
        : []),
    ];
    if (!(await confirmation.ask(vscode.l10n.t('Replace {0}', existing.join(', ')), lines))) return undefined;
  }
  try {
    const { createCsr } = await import('../../core/certsdir/csr');
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title}…` }, () =>
      createCsr({ certsDir: cluster.certsDir, kind, hosts: done.hosts, user: done.user, keyType, overwrite: existing.length > 0 }),
    );
    for (const f of r.files) ctx.log.info(`${title}: ${f.action === 'replace' ? 'replaced' : 'wrote'} ${f.path} (${f.what}, mode 0${f.mode.toString(8)})`);
    if (r.backup) ctx.log.info(`${title}: backup ${r.backup.id} in ${r.backup.dir} (Roll Back restores the old files)`);
    if (r.staleCert) ctx.log.warn(`${title}: ${r.staleCert} belongs to the old key until the new CSR is signed and imported`);
    ctx.model.relist();
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          '{0}: wrote {1} and {2} (CN={3}). Have your CA sign the CSR with {4} and the SANs kept, then use Import Certificate.{5}',
          title,
          basename(r.keyPath),
          basename(r.csrPath),
          r.commonName,
          kind === 'node' ? 'serverAuth and clientAuth' : 'clientAuth',
          r.backup ? vscode.l10n.t(' The old files are in backup {0} (Roll Back restores them).', r.backup.id) : '',
        ),
        'Open CSR',
        'Copy CSR',
      )
      .then(async (open) => {
        if (open === 'Open CSR') await vscode.window.showTextDocument(vscode.Uri.file(r.csrPath), { preview: true });
        if (open === 'Copy CSR') await vscode.env.clipboard.writeText(r.csr);
      });
    return r.files.map((f) => f.path);
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

type SourceKind = 'files' | 'cert-manager' | 'secret';

async function pickFile(openLabel: string, filters?: Record<string, string[]>): Promise<string | undefined> {
  const u = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectMany: false,
    openLabel,
    filters,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return u?.[0]?.fsPath;
}

/** The files of an import source, chosen in dialogs (a person), or given (a quick fix, the tests). */
export interface ImportPreset {
  source: SourceKind;
  /** files: the certificate; cert-manager: the folder; secret: the Secret file. */
  path: string;
  key?: string;
  ca?: string;
  role?: CertRole;
}

/** The source's files; a Secret's are picked by `role` (its own file names first) once it is known. */
async function readSource(p: ImportPreset, role?: CertRole) {
  const k8s = await import('../../core/certsdir/k8s');
  if (p.source === 'cert-manager') return k8s.certManagerSource(p.path);
  if (p.source === 'secret')
    return k8s.secretSource(readInputBytes(p.path, { what: 'the Secret file', maxBytes: MAX_TEXT_BYTES }).toString('utf8'), p.path, role);
  return {
    cert: { file: p.path, bytes: readInputBytes(p.path, { what: 'the certificate' }) },
    ...(p.key ? { key: { file: p.key, bytes: readInputBytes(p.key, { what: 'the key' }) } } : {}),
    ...(p.ca ? { ca: { file: p.ca, bytes: readInputBytes(p.ca, { what: 'the CA certificate' }) } } : {}),
  };
}

/** What an import did: the files installed, or the failures that refused it (nothing written). */
export type ImportOutcome = { ok: true; files: string[] } | { ok: false; failures: string[] } | undefined;

export async function importCertWizard(ctx: UiContext, node: Node | undefined, preset?: ImportPreset): Promise<ImportOutcome> {
  const title = vscode.l10n.t('Import Certificate');
  if (!requireTrust(title, 'write')) return undefined;
  const st: { cluster?: SelfHostedCluster } = {};
  if (!preset) {
    const done = await MultiStep.run([clusterStep(ctx, node, title, st, 1)], () => st);
    if (!done?.cluster) return undefined;
  } else {
    st.cluster = nodeCluster(node);
  }
  const cluster = st.cluster;
  if (!cluster) return undefined;
  let p = preset;
  if (!p) {
    const kind = await vscode.window.showQuickPick(
      [
        { label: 'Certificate, key and CA files…', source: 'files' as const },
        { label: 'A cert-manager folder…', description: 'tls.crt, tls.key, ca.crt', source: 'cert-manager' as const },
        { label: 'A Kubernetes Secret…', description: 'YAML or JSON, data or stringData', source: 'secret' as const },
      ],
      { title, placeHolder: vscode.l10n.t('Where the certificate comes from') },
    );
    if (!kind) return undefined;
    if (kind.source === 'cert-manager') {
      const dir = (
        await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Import from this folder') })
      )?.[0]?.fsPath;
      if (!dir) return undefined;
      p = { source: 'cert-manager', path: dir };
    } else if (kind.source === 'secret') {
      const f = await pickFile('Import this Secret', { Kubernetes: ['yaml', 'yml', 'json'] });
      if (!f) return undefined;
      p = { source: 'secret', path: f };
    } else {
      const cert = await pickFile('Import this certificate', { Certificates: ['crt', 'pem', 'cer'] });
      if (!cert) return undefined;
      const key = await pickFile('Its private key (Cancel: none)', { Keys: ['key', 'pem'] });
      const ca = await pickFile('The CA that issued it (Cancel: none)', { Certificates: ['crt', 'pem', 'cer'] });
      p = { source: 'files', path: cert, key, ca };
    }
  }
  try {
    let source = await readSource(p, p.role);
    const { inferRole, installNameFor, roleText } = await import('../../core/certsdir/check');
    const { parseCertFile } = await import('../../core/pki/inspect');
    let role = p.role;
    if (!role) {
      const parsed = parseCertFile(source.cert.bytes, basename(source.cert.file));
      const guess = inferRole(basename(source.cert.file), parsed.ok ? parsed.certs[0] : undefined);
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'Node certificate', role: { as: 'node' } as CertRole },
          { label: 'Client certificate', role: { as: 'client', user: guess.as === 'client' ? guess.user : '' } as CertRole },
          { label: 'CA certificate', role: { as: 'ca' } as CertRole },
          { label: 'Client CA certificate', role: { as: 'client-ca' } as CertRole },
        ].map((i) => ({ ...i, picked: i.role.as === guess.as, description: i.role.as === guess.as ? 'what it looks like' : undefined })),
        { title, placeHolder: vscode.l10n.t('Import {0} as', basename(source.cert.file)) },
      );
      if (!picked) return undefined;
      role = picked.role;
      if (role.as === 'client' && !role.user) {
        const user = await vscode.window.showInputBox({
          title,
          prompt: vscode.l10n.t('The SQL user this client certificate is for'),
          validateInput: (v) => (v ? userNameProblem(normalizeUserName(v)) : 'A user name is required.'),
        });
        if (!user) return undefined;
        role = { as: 'client', user: normalizeUserName(user) };
      }
    }
    // A Secret with a whole certs dir in it (--from-file=certs) holds several roles' files: take the chosen role's.
    if (p.source === 'secret' && !p.role) source = await readSource(p, role);
    // The key a CSR from Create Certificate Signing Request was made with is already in place.
    const keyInPlace = join(cluster.certsDir, installNameFor(role).replace(/\.crt$/, '.key'));
    const withKey =
      source.key || role.as === 'ca' || role.as === 'client-ca' || !existsSync(keyInPlace)
        ? source
        : { ...source, key: { file: keyInPlace, bytes: readInputBytes(keyInPlace, { what: 'the key' }) } };
    const { planImport, applyImport } = await import('../../core/certsdir/import');
    // Replacing files is allowed here: the confirmation lists each one, and they are backed up first.
    const plan = planImport({ certsDir: cluster.certsDir, role, source: withKey, overwrite: true });
    if (!plan.ok) {
      for (const f of plan.failures) ctx.log.error(`${title}: ${f.message}`);
      // Every failure, before anything is written: a modal with the whole list (the log has them too).
      const n = plan.failures.length;
      void vscode.window
        .showErrorMessage(
          vscode.l10n.t('{0}: {1} cannot be used as {2}; nothing was written. {3} problem(s):', title, basename(source.cert.file), roleText(role), String(n)),
          { modal: true, detail: plan.failures.map((f, i) => `${i + 1}. ${f.message}`).join('\n\n') },
          'Show Log',
        )
        .then((c) => c && ctx.log.show());
      return { ok: false, failures: plan.failures.map((f) => f.message) };
    }
    const lines = [
      ...plan.writes.map((w) => `${w.action === 'replace' ? 'replace' : 'write'} ${w.path} (${w.what}, mode 0${w.mode.toString(8)})`),
      ...(plan.caBundle
        ? [`${plan.caBundle.file}: ${plan.caBundle.action === 'joined' ? 'the issuing CA joins the CAs already there' : plan.caBundle.action}`]
        : []),
      ...(plan.writes.some((w) => w.action === 'replace') ? ['The files replaced are backed up first (Roll Back restores them).'] : []),
    ];
    if (!(await confirmation.ask(`Import ${basename(source.cert.file)} as ${roleText(role)}`, lines))) return undefined;
    const r = applyImport(plan);
    for (const f of r.files) ctx.log.info(`${title}: ${f.action} ${f.path} (${f.what}, mode 0${f.mode.toString(8)})`);
    if (r.backup) ctx.log.info(`${title}: backup ${r.backup.id} in ${r.backup.dir}`);
    ctx.model.relist();
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}: installed {1} in {2}.', title, r.files.map((f) => basename(f.path)).join(', '), cluster.name),
    );
    return { ok: true, files: r.files.map((f) => f.path) };
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}
