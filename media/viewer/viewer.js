// The certificate viewer's page script: builds the view from the posted model with textContent only.
/* global acquireVsCodeApi, document, window */
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  function render(m) {
    document.body.dataset.kind = m.kind;
    $('title').textContent = m.title;
    $('title').className = `tone-${m.tone}`;
    $('summary').textContent = m.summary;
    $('openReport').hidden = m.kind !== 'certificate';
    const problems = $('problems');
    problems.replaceChildren(...m.problems.map((p) => el('li', 'tone-error', p)));
    const sections = $('sections');
    sections.replaceChildren(
      ...m.sections.map((s) => {
        const sec = el('section', s.tone ? `tone-${s.tone}` : '');
        sec.append(el('h2', '', s.title));
        const table = el('table');
        for (const r of s.rows) {
          const tr = el('tr', r.tone ? `tone-${r.tone}` : '');
          tr.append(el('th', '', r.label), el('td', '', r.value));
          table.append(tr);
        }
        sec.append(table);
        return sec;
      }),
    );
  }
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'model') render(e.data.model);
  });
  $('openAsText').addEventListener('click', () => vscode.postMessage({ type: 'openAsText' }));
  $('openReport').addEventListener('click', () => vscode.postMessage({ type: 'openReport' }));
  vscode.postMessage({ type: 'ready' });
})();
