import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_IDS } from '../../src/extension/commandIds';

const ROOT = join(__dirname, '..', '..', '..');
const nls = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
/** package.json with its %keys% resolved from package.nls.json, as VS Code shows it. */
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'), (_k, v: unknown) =>
  typeof v === 'string' && /^%[\w.-]+%$/.test(v) ? (nls[v.slice(1, -1)] ?? v) : v,
);
/** VS Code's own commands a step may run. */
const WORKBENCH = new Set(['workbench.actions.view.problems']);

describe('the Get Started walkthrough', () => {
  const [wt] = pkg.contributes.walkthroughs as {
    id: string;
    steps: { id: string; description: string; media: { image: string; altText: string }; completionEvents?: string[] }[];
  }[];

  it('has one step per first task, each with a button that runs a command and an image that exists', () => {
    assert.deepEqual(
      wt.steps.map((s) => s.id),
      ['cluster', 'certificates', 'lint', 'testConnection', 'cloud', 'changefeed', 'rotate'],
    );
    for (const s of wt.steps) {
      const links = [...s.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length >= 1, `step ${s.id} has a button`);
      for (const c of links) assert.ok((COMMAND_IDS as readonly string[]).includes(c) || WORKBENCH.has(c), `step ${s.id}: ${c} is not a command of ours`);
      assert.ok(existsSync(join(ROOT, s.media.image)), `step ${s.id}: ${s.media.image} exists`);
      assert.ok(s.media.altText, `step ${s.id} has alt text`);
      for (const e of s.completionEvents ?? []) assert.ok(links.includes(e.replace(/^onCommand:/, '')), `step ${s.id} completes on its own button (${e})`);
    }
  });
});

describe('the README', () => {
  it('opens with a picture, and every image it links resolves to a file', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 5, `${images.length} images`);
    const firstImage = readme.indexOf('![');
    assert.ok(firstImage >= 0 && firstImage < readme.indexOf('\n## '), 'a picture before the first section');
    for (const src of images) {
      assert.ok(!/^https?:/.test(src), `${src}: keep images in the repository`);
      assert.ok(existsSync(join(ROOT, src)), `${src} exists`);
      assert.ok(src.endsWith('.png'), `${src}: the Marketplace shows PNG, not SVG, in a README`);
    }
  });
});
