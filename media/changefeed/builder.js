// The changefeed builder's webview script: draws the state the extension sends and posts what a
// person does. It computes nothing and reads no file; text is set with textContent only.
/* global acquireVsCodeApi, document, window, setTimeout, clearTimeout */
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const $ = (sel) => document.querySelector(sel);
  const fields = Array.from(document.querySelectorAll('[data-field]'));
  const pickers = Array.from(document.querySelectorAll('[data-picker]'));
  const SYMBOL = { error: '✖', warning: '⚠', info: 'ℹ' };
  let form = {};
  let view;
  let timer;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function readForm() {
    const f = {};
    for (const e of fields) f[e.dataset.field] = e.type === 'checkbox' ? e.checked : e.value;
    return f;
  }

  function pickerOptions(select, kind, value) {
    const list = view ? view.choices[kind] || [] : [];
    const key = JSON.stringify([list, value]);
    if (select.dataset.key === key) return;
    select.dataset.key = key;
    select.replaceChildren();
    const none = el('option', '', kind === 'key' ? '(no key)' : '(none)');
    none.value = '';
    select.append(none);
    for (const c of list) {
      const o = el('option', '', `${c.label} — ${c.description}`);
      o.value = c.path;
      o.title = c.path;
      select.append(o);
    }
    if (value && !list.some((c) => c.path === value)) {
      const o = el('option', '', value);
      o.value = value;
      o.title = value;
      select.append(o);
    }
    select.value = value || '';
  }

  function writeForm(f) {
    for (const e of fields) {
      const k = e.dataset.field;
      if (!(k in f)) continue;
      // Never overwrite what a person is typing.
      if (e === document.activeElement && e.tagName === 'INPUT' && e.type !== 'checkbox') continue;
      if (e.type === 'checkbox') e.checked = Boolean(f[k]);
      else if (e.closest('[data-picker]')) pickerOptions(e, e.closest('[data-picker]').dataset.kind, f[k]);
      else e.value = f[k];
    }
  }

  function toggle() {
    const type = form.sinkType || 'kafka';
    for (const e of document.querySelectorAll('[data-show]')) e.hidden = !e.dataset.show.split(' ').includes(type);
    for (const e of document.querySelectorAll('[data-hide]')) e.hidden = e.dataset.hide.split(' ').includes(type);
    for (const e of document.querySelectorAll('[data-when]')) e.hidden = !form[e.dataset.when];
    const port = $('#f-port');
    port.placeholder = type === 'kafka' ? '9093' : '443';
  }

  function save() {
    // The SASL password stays out of the saved state: the extension sends it back when the page reloads.
    vscode.setState({ form: Object.assign({}, form, { saslPassword: '' }), view });
  }

  function finding(f) {
    const li = el('li', `finding ${f.severity}`);
    const sym = el('span', 'sym', SYMBOL[f.severity] || '•');
    sym.setAttribute('aria-label', f.severity);
    li.append(sym, el('code', 'code', f.code), el('span', 'msg', f.message));
    return li;
  }

  function render() {
    toggle();
    if (!view) return;
    $('#uri').textContent = view.displayUri || '(give the host to see the URI)';
    $('#uri').classList.toggle('invalid', !view.ok);

    const list = $('#findings');
    list.replaceChildren(...view.findings.map(finding));
    if (view.findings.length === 0) list.append(el('li', 'finding ok', '✔ No problems found.'));

    for (const p of pickers) {
      const field = p.dataset.picker;
      pickerOptions(p.querySelector('select'), p.dataset.kind, form[field] || '');
      const detail = p.querySelector('[data-detail]');
      const lines = view.certs.filter((c) => c.field === field).map((c) => el('li', c.severity || '', c.line));
      const problems = view.findings.filter((f) => f.field === field && f.severity !== 'info').map((f) => el('li', f.severity, f.message));
      detail.replaceChildren(...lines, ...problems);
      p.classList.toggle(
        'invalid',
        view.findings.some((f) => f.field === field && f.severity === 'error'),
      );
    }

    const certs = $('#certs');
    certs.replaceChildren(
      ...view.certs.map((c) => {
        const li = el('li', c.severity || '');
        li.append(el('code', 'code', `${c.field.startsWith('registry') ? 'registry ' : ''}${c.param}`), el('span', 'msg', c.line));
        return li;
      }),
    );
    if (view.certs.length === 0) certs.append(el('li', 'muted', 'None: choose certificates above.'));

    $('#sql-title').textContent = view.sqlForm === 'external' ? 'SQL (external connection: keys stay out of the changefeed)' : 'SQL';
    $('#sql').textContent = view.sql.join('\n');
    $('#sql').hidden = view.sql.length === 0;
    $('#sql-hint').textContent = view.sqlHint || '';
    $('#sql-hint').hidden = !view.sqlHint;

    const noSql = !view.ok || view.sql.length === 0;
    $('#copy-sql').disabled = noSql;
    $('#insert-sql').disabled = noSql;
    $('#insert-sql').textContent = `Insert SQL into ${view.insertTarget}`;
    $('#copy-uri').disabled = !view.ok;
    const live = view.live;
    const check = $('#live-check');
    check.disabled = !view.trusted || Boolean(live && live.running);
    check.title = view.trusted
      ? 'TLS handshake with the host presenting client_cert: does it accept it, does ca_cert verify it?'
      : 'Live Check needs a trusted workspace: it connects over the network.';
    check.textContent = live && live.running ? 'Checking…' : 'Live Check';
    const out = $('#live');
    out.hidden = !live;
    if (live) {
      out.className = `live ${live.running ? 'running' : live.category === 'ok' ? 'ok' : live.category === 'server-unverified' ? 'warning' : 'error'}`;
      out.textContent = live.running ? `Checking ${live.target}…` : `${live.target}: ${live.message || ''}`;
    }
    vscode.postMessage({
      type: 'rendered',
      uri: $('#uri').textContent,
      sql: $('#sql').textContent,
      findings: view.findings.length,
      status: live ? out.textContent : '',
    });
  }

  function changed(now) {
    form = readForm();
    toggle();
    save();
    clearTimeout(timer);
    const send = () => vscode.postMessage({ type: 'change', form });
    if (now) send();
    else timer = setTimeout(send, 150);
  }

  for (const e of fields) {
    const text = e.tagName === 'INPUT' && e.type !== 'checkbox';
    e.addEventListener(text ? 'input' : 'change', () => changed(!text));
    if (text) e.addEventListener('change', () => changed(true));
  }
  for (const b of document.querySelectorAll('[data-browse]')) {
    b.addEventListener('click', () => vscode.postMessage({ type: 'browse', field: b.dataset.browse }));
  }
  $('#form').addEventListener('submit', (e) => e.preventDefault());
  $('#copy-sql').addEventListener('click', () => vscode.postMessage({ type: 'copy', what: 'sql' }));
  $('#copy-uri').addEventListener('click', () => vscode.postMessage({ type: 'copy', what: 'uri' }));
  $('#insert-sql').addEventListener('click', () => vscode.postMessage({ type: 'insert' }));
  $('#live-check').addEventListener('click', () => vscode.postMessage({ type: 'liveCheck' }));

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'state') return;
    view = m.view;
    if (m.form) {
      const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.field : undefined;
      const keep = focused && document.activeElement.tagName === 'INPUT' ? { [focused]: form[focused] } : {};
      form = Object.assign({}, m.form, keep);
      writeForm(form);
    }
    render();
    save();
  });

  const saved = vscode.getState();
  if (saved && saved.form) {
    form = saved.form;
    view = saved.view;
    writeForm(form);
    render();
  } else {
    form = readForm();
    toggle();
  }
  vscode.postMessage({ type: 'ready' });
})();
