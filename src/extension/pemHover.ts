/**
 * A hover on certificates written inside any file: PEM blocks, and base64 values that decode to
 * a certificate, as in a Kubernetes Secret (`data: {ca.crt: ...}`) or a JSON config. It shows the
 * decoded subject, issuer, expiry and CockroachDB's checks for the role the key name gives it.
 */
import * as vscode from 'vscode';
import { expiryPhrase } from '../core/cockroach/expiry';
import { roleFromFilename } from '../core/cockroach/layout';
import { embeddedCertAt } from '../core/pki/embedded';
import { md } from './certView';

/** Documents above this size are not scanned on hover. */
const MAX_HOVER_TEXT = 4 * 1024 * 1024;

export class EmbeddedCertHover implements vscode.HoverProvider {
  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const text = doc.getText();
    if (text.length > MAX_HOVER_TEXT) return undefined;
    const e = embeddedCertAt(text, doc.offsetAt(pos));
    if (!e) return undefined;
    const { describeCertFile } = await import('../core/pki/describe');
    const name = e.name && /\.(crt|pem|cert)$/.test(e.name) ? e.name : 'embedded.crt';
    const now = new Date();
    const d = describeCertFile({ path: name, content: e.bytes, now });
    const m = new vscode.MarkdownString();
    m.supportHtml = false;
    const role = roleFromFilename(name);
    const encoded = e.encoding === 'base64' ? 'base64-encoded ' : '';
    m.appendMarkdown(`**${md(e.name ? `${e.name}: ` : '')}${encoded}${d.certs.length === 1 ? 'certificate' : `${d.certs.length} certificates`}**`);
    if (e.name && role.usage !== 'Unknown') m.appendMarkdown(` · ${md(d.role)}`);
    m.appendMarkdown('\n\n');
    for (const c of d.certs) {
      m.appendMarkdown(`- ${md(c.subject)}${c.isCA ? ' (CA)' : ''}\n`);
      m.appendMarkdown(`  issuer ${md(c.issuer)}${c.selfSigned ? ' (self-signed)' : ''}\n`);
      m.appendMarkdown(`  ${md(c.statusText)} · ${md(expiryPhrase(new Date(c.notBefore), new Date(c.notAfter), now))} (${c.notAfter.slice(0, 10)})\n`);
      if (c.sans.length) m.appendMarkdown(`  SANs ${md(c.sans.map((s) => `${s.type === 'IP Address' ? 'IP' : s.type}:${s.compact ?? s.value}`).join(', '))}\n`);
      if (c.extKeyUsage.length) m.appendMarkdown(`  ${md(c.extKeyUsage.join(', '))}\n`);
      for (const k of c.checks) m.appendMarkdown(`  ${k.ok ? '✓' : '✗'} ${md(k.text)}\n`);
    }
    if (role.badName && e.name)
      m.appendMarkdown(
        `\n${md(`CockroachDB skips a file named ${e.name} (${role.badName}): install it under cockroach's names, e.g. "crdb-tls cert import --from-cert-manager DIR".`)}\n`,
      );
    for (const p of d.problems) m.appendMarkdown(`\n${md(p)}\n`);
    return new vscode.Hover(m, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)));
  }
}
