import { portProblem } from '../cockroach/ports';
import { Span, SinkType } from './types';

export interface HostPort {
  host: string;
  port?: number;
  /** Raw port text when it is not a valid port number. */
  badPort?: string;
  span: Span;
}

/** A sink URI cut as Go's url.Parse cuts it, with offsets into the URI. */
export interface SplitUri {
  /** Lower-cased, as Go stores it. */
  scheme: string;
  type?: SinkType;
  userinfo?: { raw: string; span: Span };
  hosts: HostPort[];
  authoritySpan: Span;
  path: string;
  rawQuery: string;
  /** Offset of the raw query in the URI (just after `?`). */
  queryOffset: number;
  hasQuery: boolean;
}

export function sinkTypeOf(scheme: string): SinkType | undefined {
  switch (scheme) {
    case 'kafka':
      return 'kafka';
    case 'webhook-https':
    case 'webhook-http':
      return 'webhook';
    case 'https':
    case 'http':
      return 'schema-registry';
    default:
      return undefined;
  }
}

export const SCHEME_OF: Record<SinkType, string> = { kafka: 'kafka', webhook: 'webhook-https', 'schema-registry': 'https' };

function splitHostPort(text: string, start: number): HostPort {
  const span = { start, end: start + text.length };
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    host = close < 0 ? text : text.slice(0, close + 1);
    const rest = close < 0 ? '' : text.slice(close + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  const hp: HostPort = { host, span };
  if (portText !== undefined && portText !== '') {
    if (portProblem(portText) === undefined) hp.port = Number(portText);
    else hp.badPort = portText;
  }
  return hp;
}

/** Splits `scheme://[userinfo@]host[:port][,host:port...][/path][?query][#fragment]`; undefined when there is no `scheme://`. */
export function splitUri(uri: string): SplitUri | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  const hash = uri.indexOf('#');
  const body = hash < 0 ? uri : uri.slice(0, hash);
  const q = body.indexOf('?');
  const beforeQuery = q < 0 ? body : body.slice(0, q);
  const aStart = m[0].length;
  const slash = beforeQuery.indexOf('/', aStart);
  const aEnd = slash < 0 ? beforeQuery.length : slash;
  let authority = uri.slice(aStart, aEnd);
  let hostStart = aStart;
  let userinfo: SplitUri['userinfo'];
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    userinfo = { raw: authority.slice(0, at), span: { start: aStart, end: aStart + at } };
    authority = authority.slice(at + 1);
    hostStart = aStart + at + 1;
  }
  const hosts: HostPort[] = [];
  let off = hostStart;
  for (const part of authority.split(',')) {
    hosts.push(splitHostPort(part, off));
    off += part.length + 1;
  }
  return {
    scheme,
    type: sinkTypeOf(scheme),
    userinfo,
    hosts,
    authoritySpan: { start: aStart, end: aEnd },
    path: beforeQuery.slice(aEnd),
    rawQuery: q < 0 ? '' : body.slice(q + 1),
    queryOffset: q < 0 ? body.length : q + 1,
    hasQuery: q >= 0,
  };
}

/** A host name, IPv4 address or bracketed IPv6 address that Go's url.Parse accepts and a dialer can use. */
export function validHost(host: string): boolean {
  if (/^\[[0-9A-Fa-f:.]+\]$/.test(host)) return host.includes(':');
  return /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(host);
}

/** The host as written in a URI: IPv6 addresses in brackets. */
export function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
