/**
 * The builder's page: static markup only (no data is ever written into it; the state arrives
 * by postMessage and the script sets text, never HTML). Strict CSP: nothing but our own style
 * sheet and the one script with the nonce.
 */
import type { CertField } from './form';

export interface HtmlParts {
  cspSource: string;
  nonce: string;
  script: string;
  style: string;
}

function picker(field: CertField, param: string, kind: 'ca' | 'client' | 'key', help: string): string {
  return `
      <div class="picker" data-picker="${field}" data-kind="${kind}">
        <label for="f-${field}">${param} <span class="muted">${help}</span></label>
        <div class="row">
          <select id="f-${field}" data-field="${field}"></select>
          <button type="button" class="secondary" data-browse="${field}" title="Choose a PEM file">Browse…</button>
        </div>
        <ul class="detail" data-detail="${field}"></ul>
      </div>`;
}

export function builderHtml(p: HtmlParts): string {
  const csp = ["default-src 'none'", `style-src ${p.cspSource}`, `img-src ${p.cspSource}`, `font-src ${p.cspSource}`, `script-src 'nonce-${p.nonce}'`].join(
    '; ',
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${p.style}">
  <title>Changefeed Sink URI</title>
</head>
<body>
  <main class="layout">
    <form id="form" class="fields" autocomplete="off" novalidate>
      <h1>Changefeed sink URI</h1>
      <p class="muted">Certificates are embedded as CockroachDB decodes them: the file's bytes in standard base64 with padding, percent-encoded.</p>

      <fieldset>
        <legend>Sink</legend>
        <label for="f-sinkType">Type</label>
        <select id="f-sinkType" data-field="sinkType">
          <option value="kafka">Kafka (kafka://)</option>
          <option value="webhook">Webhook (webhook-https://)</option>
          <option value="schema-registry">Confluent schema registry (https://, for Avro)</option>
        </select>
        <div class="row">
          <div class="grow"><label for="f-host">Host</label><input id="f-host" data-field="host" type="text" spellcheck="false" placeholder="broker.example.com"></div>
          <div class="port"><label for="f-port">Port</label><input id="f-port" data-field="port" type="text" inputmode="numeric" spellcheck="false" placeholder="9093"></div>
        </div>
        <div data-show="webhook schema-registry"><label for="f-path">Path</label><input id="f-path" data-field="path" type="text" spellcheck="false" placeholder="/changefeed"></div>
      </fieldset>

      <fieldset>
        <legend>TLS</legend>
        <div data-show="kafka">
          <label for="f-tlsEnabled">tls_enabled</label>
          <select id="f-tlsEnabled" data-field="tlsEnabled">
            <option value="auto">automatic: true when certificates are embedded</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        </div>
        ${picker('caCert', 'ca_cert', 'ca', "the CA that issued the server's certificate")}
        ${picker('clientCert', 'client_cert', 'client', 'presented to the server')}
        ${picker('clientKey', 'client_key', 'key', 'the key of client_cert')}
        <label class="check"><input type="checkbox" data-field="insecureTlsSkipVerify"> insecure_tls_skip_verify <span class="muted">(does not verify the server: not recommended)</span></label>
      </fieldset>

      <fieldset data-show="kafka">
        <legend>Kafka</legend>
        <div class="row">
          <div class="grow"><label for="f-topicPrefix">topic_prefix</label><input id="f-topicPrefix" data-field="topicPrefix" type="text" spellcheck="false"></div>
          <div class="grow"><label for="f-topicName">topic_name</label><input id="f-topicName" data-field="topicName" type="text" spellcheck="false"></div>
        </div>
        <label class="check"><input type="checkbox" data-field="sasl"> SASL authentication</label>
        <div data-when="sasl" class="indent">
          <label for="f-saslMechanism">sasl_mechanism</label>
          <select id="f-saslMechanism" data-field="saslMechanism">
            <option value="PLAIN">PLAIN</option>
            <option value="SCRAM-SHA-256">SCRAM-SHA-256</option>
            <option value="SCRAM-SHA-512">SCRAM-SHA-512</option>
          </select>
          <div class="row">
            <div class="grow"><label for="f-saslUser">sasl_user</label><input id="f-saslUser" data-field="saslUser" type="text" spellcheck="false"></div>
            <div class="grow"><label for="f-saslPassword">sasl_password</label><input id="f-saslPassword" data-field="saslPassword" type="password"></div>
          </div>
        </div>
      </fieldset>

      <fieldset data-show="kafka">
        <legend>Schema registry</legend>
        <label class="check"><input type="checkbox" data-field="registry"> Use a Confluent schema registry <span class="muted">(format = avro)</span></label>
        <div data-when="registry" class="indent">
          <div class="row">
            <div class="grow"><label for="f-registryHost">Registry host</label><input id="f-registryHost" data-field="registryHost" type="text" spellcheck="false" placeholder="registry.example.com"></div>
            <div class="port"><label for="f-registryPort">Port</label><input id="f-registryPort" data-field="registryPort" type="text" inputmode="numeric" spellcheck="false" placeholder="8081"></div>
          </div>
          ${picker('registryCaCert', 'ca_cert', 'ca', "the CA that issued the registry's certificate")}
          ${picker('registryClientCert', 'client_cert', 'client', 'presented to the registry')}
          ${picker('registryClientKey', 'client_key', 'key', 'the key of client_cert')}
        </div>
      </fieldset>

      <fieldset data-hide="schema-registry">
        <legend>Changefeed</legend>
        <label for="f-tables">Tables</label>
        <input id="f-tables" data-field="tables" type="text" spellcheck="false" placeholder="movr.public.rides, users">
        <div class="checks">
          <label class="check"><input type="checkbox" data-field="updated"> updated</label>
          <label class="check"><input type="checkbox" data-field="resolved"> resolved</label>
          <input class="short" data-field="resolvedInterval" type="text" spellcheck="false" placeholder="interval, e.g. 10s" aria-label="resolved interval">
          <label class="check"><input type="checkbox" data-field="diff"> diff</label>
        </div>
        <label for="f-format">format</label>
        <select id="f-format" data-field="format">
          <option value="">default (json)</option>
          <option value="json">json</option>
          <option value="avro">avro</option>
          <option value="csv">csv</option>
        </select>
      </fieldset>

      <fieldset>
        <legend>External connection <span class="muted">(recommended)</span></legend>
        <label for="f-externalConnection">Name</label>
        <input id="f-externalConnection" data-field="externalConnection" type="text" spellcheck="false" placeholder="kafka_sink">
        <p class="muted">With a name the SQL is CREATE EXTERNAL CONNECTION once, then INTO 'external://name': the keys stay out of the changefeed statement.</p>
      </fieldset>
    </form>

    <section class="output" aria-live="polite">
      <h2>Sink URI <span class="muted">(secrets masked)</span></h2>
      <pre id="uri" class="code"></pre>
      <h2>Checks</h2>
      <ul id="findings" class="findings"></ul>
      <h2>Embedded certificates</h2>
      <ul id="certs" class="certs"></ul>
      <h2 id="sql-title">SQL</h2>
      <pre id="sql" class="code"></pre>
      <p id="sql-hint" class="muted"></p>
      <div class="buttons">
        <button type="button" id="copy-sql">Copy SQL</button>
        <button type="button" id="insert-sql" class="secondary">Insert SQL</button>
        <button type="button" id="copy-uri" class="secondary">Copy URI</button>
        <button type="button" id="live-check" class="secondary">Live Check</button>
      </div>
      <p id="live" class="live" hidden></p>
    </section>
  </main>
  <script nonce="${p.nonce}" src="${p.script}"></script>
</body>
</html>`;
}
