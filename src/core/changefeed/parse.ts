import { portProblem } from '../cockroach/ports';
import { quoteInput } from '../errors';
import { ExpiryThresholds } from '../cockroach/expiry';
import { GoBase64Error, QueryPair, decodeStdBase64, parseGoBool, parseQuery } from './decode';
import { encodeFileParam } from './encode';
import { CertSummary, KeySummary, LoadedPem, checkCaCert, checkClientPair } from './material';
import { CERT_PARAMS, CertParam, KAFKA_PARAMS, SinkFinding, SinkType, Span, TextEdit } from './types';
import { HostPort, splitUri } from './uri';

/** Where a sink URI sits: the statement decides whether embedded keys are a problem. */
export type UriContext = 'create-changefeed' | 'create-external-connection' | 'other';

export interface ParsedParam {
  key?: string;
  rawKey: string;
  rawValue: string;
  /** The decoded value as text (UTF-8), when the pair decodes. */
  value?: string;
  /** Offsets into the URI. */
  span: Span;
  keySpan: Span;
  valueSpan: Span;
  error?: string;
}

export interface ParsedSink {
  uri: string;
  scheme: string;
  type?: SinkType;
  hosts: HostPort[];
  path: string;
  params: ParsedParam[];
  /** Embedded certificates, decoded as CockroachDB decodes them. */
  certs: CertSummary[];
  key?: KeySummary;
  /** Ranges are offsets into the URI. */
  findings: SinkFinding[];
}

export interface ParseOptions {
  now?: Date;
  thresholds?: ExpiryThresholds;
  context?: UriContext;
}

const SASL_ONLY = [
  'sasl_user',
  'sasl_password',
  'sasl_client_id',
  'sasl_client_secret',
  'sasl_token_url',
  'sasl_grant_type',
  'sasl_scopes',
  'sasl_aws_iam_role_arn',
  'sasl_aws_region',
  'sasl_aws_iam_session_name',
];
/** Every mechanism some CockroachDB version accepts: the editor must not flag a newer server's setting. */
const ALL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER', 'AWS_MSK_IAM'];

const STD = /^[A-Za-z0-9+/]*$/;

function toUri(pair: QueryPair, offset: number): Pick<ParsedParam, 'span' | 'keySpan' | 'valueSpan'> {
  return {
    span: { start: offset + pair.start, end: offset + pair.end },
    keySpan: { start: offset + pair.start, end: offset + pair.keyEnd },
    valueSpan: { start: offset + pair.valueStart, end: offset + pair.end },
  };
}

/**
 * Why a certificate parameter does not decode, in the words of the mistake, and the value that
 * would: the same bytes, encoded as CockroachDB reads them (when they can be recovered).
 */
function diagnoseBase64(p: ParsedParam, bytes: Buffer, goError: string): { code: string; why: string; fixed?: string } {
  const text = bytes.toString('latin1');
  const core = text.replace(/[\r\n]/g, '');
  let code = 'sink-param-base64';
  let why = 'the value is not standard base64';
  let repaired: Buffer | undefined;
  const attempt = (s: string) => {
    try {
      const b = decodeStdBase64(Buffer.from(s, 'latin1'));
      return b.length > 0 ? b : undefined;
    } catch {
      return undefined;
    }
  };
  const pad = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4);
  if (/^\s*-----BEGIN /.test(text)) {
    code = 'sink-param-raw-pem';
    why = 'the value is PEM text, not base64 of it';
    repaired = bytes;
  } else if (p.rawValue.includes('+')) {
    code = 'sink-param-plus';
    why = 'a raw "+" in a URL query reads as a space, which base64 does not allow';
    repaired = attempt(pad(core.replace(/ /g, '+')));
  } else if (/[-_]/.test(core) && /^[A-Za-z0-9\-_]*=*$/.test(core)) {
    code = 'sink-param-urlsafe-base64';
    why = 'the value is URL-safe base64 ("-" and "_"); CockroachDB reads standard base64 only ("+" and "/")';
    repaired = attempt(pad(core.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/')));
  } else if (STD.test(core) && core.length % 4 !== 0) {
    code = 'sink-param-padding';
    why = 'the base64 lacks its "=" padding, which CockroachDB requires';
    repaired = attempt(pad(core));
  } else if (/\s/.test(core)) {
    why = 'the value holds spaces or tabs, which base64 does not allow';
    repaired = attempt(pad(core.replace(/\s+/g, '')));
  }
  return { code, why: `${why} (${goError})`, fixed: repaired ? encodeFileParam(repaired) : undefined };
}

/** Parses a sink URI as CockroachDB would and checks it: decoding, TLS and SASL rules, the embedded certificates. */
export function parseSinkUri(uri: string, opts: ParseOptions = {}): ParsedSink {
  const now = opts.now ?? new Date();
  const split = splitUri(uri);
  const out: ParsedSink = {
    uri,
    scheme: split?.scheme ?? '',
    type: split?.type,
    hosts: split?.hosts ?? [],
    path: split?.path ?? '',
    params: [],
    certs: [],
    findings: [],
  };
  const whole = { start: 0, end: uri.length };
  if (!split) {
    out.findings.push({
      code: 'sink-uri-invalid',
      severity: 'error',
      message: 'not a sink URI (no scheme://): write kafka://host:port, webhook-https://host/path or https://registry:port.',
      range: whole,
    });
    return out;
  }
  if (!split.type) {
    out.findings.push({
      code: 'sink-scheme-unsupported',
      severity: 'info',
      message: `${split.scheme}:// sinks are not checked here (only kafka://, webhook-https:// and schema registry https:// URIs).`,
      range: whole,
    });
    return out;
  }
  if (split.scheme === 'webhook-http') {
    out.findings.push({
      code: 'sink-webhook-http',
      severity: 'error',
      message: 'this sink requires https: CockroachDB refuses webhook-http://; use webhook-https://.',
      range: { start: 0, end: split.scheme.length },
      fixes: [{ title: 'Use webhook-https://', kind: 'edit', edits: [{ start: 0, end: split.scheme.length, newText: 'webhook-https' }] }],
    });
  }
  if (split.scheme === 'http' && CERT_PARAMS.some((k) => split.rawQuery.includes(`${k}=`))) {
    out.findings.push({
      code: 'sink-registry-http',
      severity: 'warning',
      message: 'certificates in an http:// schema registry URI are never used: use https://.',
      range: { start: 0, end: 4 },
      fixes: [{ title: 'Use https://', kind: 'edit', edits: [{ start: 0, end: 4, newText: 'https' }] }],
    });
  }
  const isKafka = split.type === 'kafka';
  for (const h of split.hosts) {
    if (h.badPort !== undefined)
      out.findings.push({
        code: 'sink-port-invalid',
        severity: 'error',
        message: `port ${quoteInput(h.badPort)} is not a port number (${portProblem(h.badPort)}): use 1 to 65535.`,
        range: h.span,
      });
    else if (isKafka && h.port === undefined && h.host)
      out.findings.push({ code: 'sink-port-missing', severity: 'error', message: `Kafka broker ${h.host} needs a port, e.g. ${h.host}:9093.`, range: h.span });
  }

  const q = parseQuery(split.rawQuery);
  const params: ParsedParam[] = q.pairs.map((pair) => ({
    key: pair.key,
    rawKey: pair.rawKey,
    rawValue: pair.rawValue,
    value: pair.text,
    error: pair.error,
    ...toUri(pair, split.queryOffset),
  }));
  out.params = params;
  const first = new Map<string, ParsedParam>();
  for (const p of params) {
    if (p.error) {
      out.findings.push({
        code: 'sink-param-escape',
        severity: 'error',
        param: p.key,
        range: p.span,
        message: `${p.error}: Go's URL parser drops this whole parameter, so CockroachDB runs without it; percent-encode the value (a literal "%" is %25, ";" is %3B).`,
      });
      continue;
    }
    const key = p.key as string;
    if (first.has(key)) {
      out.findings.push({
        code: 'sink-param-duplicate',
        severity: 'warning',
        param: key,
        range: p.span,
        message: `${key} is given twice: CockroachDB reads only the first value; remove this one.`,
      });
      continue;
    }
    first.set(key, p);
  }
  const has = (k: string) => !!first.get(k)?.value;
  const rangeOf = (k?: string) => (k && first.get(k) ? first.get(k)?.valueSpan : undefined) ?? whole;
  const keyRange = (k: string) => first.get(k)?.keySpan ?? whole;

  // Embedded certificates: decode exactly as CockroachDB does, then check what they hold.
  const pems: Partial<Record<CertParam, LoadedPem>> = {};
  for (const param of CERT_PARAMS) {
    const p = first.get(param);
    if (!p || !p.value) continue;
    const bytes = Buffer.from(p.value, 'utf8');
    try {
      pems[param] = { name: `the ${param} value`, bytes: decodeStdBase64(bytes) };
    } catch (err) {
      const goError = `param ${param} must be base 64 encoded: ${(err as GoBase64Error).message}`;
      const d = diagnoseBase64(p, bytes, goError);
      const fixes = d.fixed
        ? [{ title: `Re-encode ${param} as CockroachDB reads it`, kind: 'edit' as const, edits: [{ ...p.valueSpan, newText: d.fixed }] }]
        : [];
      out.findings.push({
        code: d.code,
        severity: 'error',
        param,
        range: p.valueSpan,
        message: `${param}: ${d.why}; encode the file's bytes as standard base64 with padding, then percent-encode it (+ as %2B, / as %2F, = as %3D).`,
        fixes,
      });
    }
  }
  const ctx = { now, thresholds: opts.thresholds };
  if (pems.ca_cert) {
    const ca = checkCaCert(pems.ca_cert, ctx);
    out.certs.push(...ca.certs);
    out.findings.push(...ca.findings.map((f) => ({ ...f, range: rangeOf(f.param) })));
  }
  // Pairing is judged on presence (as CockroachDB does), not on whether the value decodes.
  const certPresent = has('client_cert');
  const keyPresent = has('client_key');
  if (pems.client_cert || pems.client_key) {
    const client = checkClientPair(pems.client_cert, pems.client_key, ctx);
    out.certs.push(...client.certs);
    out.key = client.key;
    const skip = new Set([...(keyPresent ? ['sink-cert-without-key'] : []), ...(certPresent ? ['sink-key-without-cert'] : [])]);
    out.findings.push(...client.findings.filter((f) => !skip.has(f.code)).map((f) => ({ ...f, range: rangeOf(f.param) })));
  } else if (certPresent !== keyPresent) {
    const [code, param, other] = certPresent ? ['sink-cert-without-key', 'client_cert', 'client_key'] : ['sink-key-without-cert', 'client_key', 'client_cert'];
    out.findings.push({ code, severity: 'error', param, range: keyRange(param), message: `${param} requires ${other} to be set: add ${other}.` });
  }

  const bool = (k: string): boolean | undefined => {
    const p = first.get(k);
    if (!p?.value) return undefined;
    const b = parseGoBool(p.value);
    if (b === undefined)
      out.findings.push({
        code: 'sink-param-bool',
        severity: 'error',
        param: k,
        range: p.valueSpan,
        message: `param ${k} must be a bool: write true or false, not ${quoteInput(p.value)}.`,
      });
    return b;
  };
  const skipVerify = bool('insecure_tls_skip_verify');
  if (skipVerify) {
    out.findings.push({
      code: 'sink-insecure-skip-verify',
      severity: 'warning',
      param: 'insecure_tls_skip_verify',
      range: first.get('insecure_tls_skip_verify')?.span ?? whole,
      message:
        "insecure_tls_skip_verify=true: the server's certificate is not verified, so anyone on the network path can read or alter the feed; embed the CA with ca_cert instead.",
    });
  }

  if (isKafka) {
    const tlsParam = first.get('tls_enabled');
    const tls = bool('tls_enabled');
    if (!tls) {
      for (const p of ['ca_cert', 'client_cert'] as const) {
        if (!has(p)) continue;
        const fix: TextEdit[] = tlsParam?.value
          ? [{ ...tlsParam.valueSpan, newText: 'true' }]
          : [
              {
                start: split.queryOffset + split.rawQuery.length,
                end: split.queryOffset + split.rawQuery.length,
                newText: `${split.rawQuery ? '&' : ''}tls_enabled=true`,
              },
            ];
        out.findings.push({
          code: tls === false ? 'sink-tls-disabled' : 'sink-tls-missing',
          severity: 'error',
          param: p,
          range: keyRange(p),
          message: `${p} requires tls_enabled=true${tls === false ? ', but the URI sets tls_enabled=false' : ''}: add tls_enabled=true (the broker's TLS listener).`,
          fixes: [{ title: 'Set tls_enabled=true', kind: 'edit', edits: fix }],
        });
      }
    }
    const sasl = bool('sasl_enabled');
    bool('sasl_handshake');
    if (!sasl) {
      const stray = has('sasl_handshake') ? 'sasl_handshake' : has('sasl_mechanism') ? 'sasl_mechanism' : SASL_ONLY.find(has);
      if (stray)
        out.findings.push({
          code: 'sink-sasl-disabled',
          severity: 'error',
          param: stray,
          range: keyRange(stray),
          message: `sasl_enabled must be enabled if ${stray} is provided: add sasl_enabled=true.`,
        });
    } else {
      const mech = first.get('sasl_mechanism')?.value || 'PLAIN';
      if (!ALL_MECHANISMS.includes(mech))
        out.findings.push({
          code: 'sink-sasl-mechanism',
          severity: 'error',
          param: 'sasl_mechanism',
          range: rangeOf('sasl_mechanism'),
          message: `param sasl_mechanism must be one of ${ALL_MECHANISMS.join(', ')}, not ${quoteInput(mech)}.`,
        });
      if (['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mech)) {
        for (const k of ['sasl_user', 'sasl_password']) {
          if (!has(k))
            out.findings.push({
              code: `sink-${k.replace('_', '-')}-missing`,
              severity: 'error',
              param: k,
              range: keyRange('sasl_enabled'),
              message: `${k} must be provided when SASL is enabled: add ${k}.`,
            });
        }
      }
    }
    for (const p of params) {
      if (p.key !== undefined && !KAFKA_PARAMS.has(p.key) && first.get(p.key) === p) {
        out.findings.push({
          code: 'sink-param-unknown',
          severity: 'warning',
          param: p.key,
          range: p.keySpan,
          message: `unknown kafka sink query parameter ${p.key}: CockroachDB refuses the changefeed ("unknown kafka sink query parameters"); remove it or check its spelling.`,
        });
      }
    }
  }

  const secret = has('client_key')
    ? 'a private key (client_key)'
    : has('sasl_password')
      ? 'a SASL password'
      : split.userinfo?.raw.includes(':')
        ? 'a password'
        : undefined;
  if (opts.context === 'create-changefeed' && secret) {
    out.findings.push({
      code: 'sink-keys-in-statement',
      severity: 'warning',
      range: whole,
      message: `this CREATE CHANGEFEED statement embeds ${secret}, which then travels with every copy of the statement: create an external connection once (CREATE EXTERNAL CONNECTION name AS '<uri>') and use INTO 'external://name'.`,
    });
  }
  return out;
}
