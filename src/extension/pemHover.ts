/**
 * A hover on certificates written inside any file: PEM blocks, and base64 values that decode to
 * a certificate, as in a Kubernetes Secret (`data: {ca.crt: ...}`) or a JSON config. It shows the
 * decoded subject, issuer, expiry and CockroachDB's checks for the role the key name gives it.
 */
import * as vscode from 'vscode';
import { expiryPhrase } from '../core/cockroach/expiry';
import { roleFromFilename } from '../core/cockroach/layout';
import { PEM_REACH, embeddedCertAt } from '../core/pki/embedded';
import { md } from './certView';

/** How far around the cursor a hover reads: embedded.ts's reach, and room for the key line above a block. */
const HOVER_WINDOW = PEM_REACH + 4 * 1024;

export class EmbeddedCertHover implements vscode.HoverProvider {
  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    // Only the window a certificate at the cursor can span (embeddedCertAt looks no further), not the whole document.
    const at = doc.offsetAt(pos);
    const from = Math.max(0, at - HOVER_WINDOW);
    const text = doc.getText(new vscode.Range(doc.positionAt(from), doc.positionAt(at + HOVER_WINDOW)));
    const found = embeddedCertAt(text, at - from);
    if (!found) return undefined;
    const e = { ...found, start: found.start + from, end: found.end + from };
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
