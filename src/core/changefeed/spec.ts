import { portProblem } from '../cockroach/ports';
import { quoteInput } from '../errors';
import { SinkSpec } from './build';
import { decodeStdBase64, parseGoBool, parseQuery, queryUnescape } from './decode';
import { SinkFinding } from './types';
import { splitUri } from './uri';

const fail = (message: string): { findings: SinkFinding[] } => ({ findings: [{ code: 'sink-uri-invalid', severity: 'error', message }] });

/**
 * Turns a base sink URL (the CLI's --sink, a pasted URI) into a SinkSpec: scheme, hosts, path,
 * and any query parameters already in it, decoded as CockroachDB decodes them (embedded
 * certificates become contents, so that they are checked like files).
 */
export function sinkSpecFromUrl(url: string): { spec?: SinkSpec; findings: SinkFinding[] } {
  const split = splitUri(url.trim());
  if (!split)
    return fail(`${quoteInput(url)} is not a sink URL: write kafka://broker:9093, webhook-https://host/path or https://registry:8081 (schema registry).`);
  if (!split.type) return fail(`${split.scheme}:// is not a sink this builds: use kafka://, webhook-https:// or https:// (Confluent schema registry).`);
  if (split.scheme === 'webhook-http') return fail('webhook sinks require https: use webhook-https://.');
  if (split.scheme === 'http') return fail('certificates need an https:// schema registry: use https://.');
  const findings: SinkFinding[] = [];
  const [first, ...rest] = split.hosts;
  const hostOf = (h: typeof first) => {
    if (h.badPort !== undefined)
      findings.push({
        code: 'sink-port-invalid',
        severity: 'error',
        message: `port ${quoteInput(h.badPort)} of ${h.host ? quoteInput(h.host) : 'the sink'} is not a port number (${portProblem(h.badPort)}): use 1 to 65535.`,
      });
    return { host: h.host.replace(/^\[|\]$/g, ''), port: h.port };
  };
  const spec: SinkSpec = { type: split.type, ...hostOf(first) };
  if (rest.length) spec.moreHosts = rest.map(hostOf);
  if (split.path && split.path !== '/') {
    try {
      spec.path = queryUnescape(split.path.replace(/\+/g, '%2B')).toString('utf8');
    } catch (err) {
      findings.push({ code: 'sink-uri-invalid', severity: 'error', message: `the path of the sink URL is not valid: ${(err as Error).message}.` });
    }
  }
  if (split.userinfo) {
    const [u, p] = split.userinfo.raw.split(/:(.*)/s);
    try {
      spec.userinfo = {
        user: queryUnescape(u.replace(/\+/g, '%2B')).toString('utf8'),
        password: p === undefined ? undefined : queryUnescape(p.replace(/\+/g, '%2B')).toString('utf8'),
      };
    } catch (err) {
      findings.push({ code: 'sink-uri-invalid', severity: 'error', message: `the user:password of the sink URL is not valid: ${(err as Error).message}.` });
    }
  }
  const q = parseQuery(split.rawQuery);
  const params: [string, string][] = [];
  const seen = new Set<string>();
  for (const p of q.pairs) {
    if (p.error || p.key === undefined || p.value === undefined) {
      findings.push({
        code: 'sink-param-escape',
        severity: 'error',
        message: `parameter ${quoteInput(p.rawKey)} of the sink URL: ${p.error}; percent-encode it.`,
      });
      continue;
    }
    if (seen.has(p.key)) {
      findings.push({
        code: 'sink-param-duplicate',
        severity: 'error',
        param: p.key,
        message: `${quoteInput(p.key)} is given twice in the sink URL: CockroachDB reads only the first value; set it once.`,
      });
      continue;
    }
    seen.add(p.key);
    const v = p.text as string;
    const bool = (name: string) => {
      const b = parseGoBool(v);
      if (b === undefined)
        findings.push({
          code: 'sink-param-bool',
          severity: 'error',
          param: name,
          message: `param ${name} must be a bool: write true or false, not ${quoteInput(v)}.`,
        });
      return b;
    };
    switch (p.key) {
      case 'tls_enabled':
        spec.tlsEnabled = bool(p.key);
        break;
      case 'insecure_tls_skip_verify':
        spec.insecureTlsSkipVerify = bool(p.key);
        break;
      case 'sasl_enabled':
        spec.sasl = { ...spec.sasl, enabled: bool(p.key) };
        break;
      case 'sasl_mechanism':
        spec.sasl = { ...spec.sasl, mechanism: v };
        break;
      case 'sasl_user':
        spec.sasl = { ...spec.sasl, user: v };
        break;
      case 'sasl_password':
        spec.sasl = { ...spec.sasl, password: v };
        break;
      case 'topic_prefix':
        spec.topicPrefix = v;
        break;
      case 'topic_name':
        spec.topicName = v;
        break;
      case 'ca_cert':
      case 'client_cert':
      case 'client_key': {
        try {
          const content = decodeStdBase64(p.value);
          const field = p.key === 'ca_cert' ? 'caCert' : p.key === 'client_cert' ? 'clientCert' : 'clientKey';
          spec[field] = { content, label: `the ${p.key} value in the sink URL` };
        } catch (err) {
          findings.push({
            code: 'sink-param-base64',
            severity: 'error',
            param: p.key,
            message: `param ${p.key} must be base 64 encoded: ${(err as Error).message}; pass the file instead.`,
          });
        }
        break;
      }
      default:
        params.push([p.key, v]);
    }
  }
  if (params.length) spec.params = params;
  return { spec, findings };
}
