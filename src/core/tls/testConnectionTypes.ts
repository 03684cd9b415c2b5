import { certInfo } from '../pki/certinfo';
import { X509Certificate } from 'node:crypto';
import { FileEnv } from '../connstr/files';
import { ConnString } from '../connstr/types';
import { CertDetails } from '../pki/inspect';
import { FileCheck, LoadedFile } from './files';
import { ProbeResult, sansText } from './probe';
import { Category, Diagnosis } from './types';

// The shapes shared by the parts of a connection test (preflight, attempt, diagnosis) and the
// small helpers every part uses to name certificates and hosts.

export interface TestConnectionOptions {
  /** For the whole test; default: connect_timeout from the string, else 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Relative file paths resolve against the document's folder, then these folders (then the process's cwd). */
  docPath?: string;
  cwd?: string;
  workspaceFolders?: string[];
  /** For ~ and libpq's default files (~/.postgresql/root.crt, postgresql.crt, postgresql.key). */
  home?: string;
  /** For the validity of certificates in the messages; default: now. */
  now?: Date;
  /** The effective user id for libpq's key permission rule; default: process.geteuid() (undefined on Windows: no check). */
  euid?: number;
}

import type { SslMode } from '../cockroach/sslmode';
export type { SslMode } from '../cockroach/sslmode';

export interface CertSummary {
  subject: string;
  issuer: string;
  sans: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface TestDetails {
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  sslmode?: SslMode | string;
  /** Where sslmode came from: the string, or the default (libpq's prefer; verify-full for the cockroach CLI). */
  sslmodeSource?: 'string' | 'default';
  /** What was checked of the server's certificate. */
  verification?: 'none' | 'ca' | 'full';
  /** Whether the connection (or the last attempt) used TLS. */
  tls?: boolean;
  files: FileCheck[];
  timings: { dnsMs?: number; connectMs?: number; tlsMs?: number; authMs?: number; queryMs?: number; totalMs: number };
  protocol?: string;
  cipher?: string;
  /** The server's certificate chain, from the connection or from the probe. */
  serverChain?: CertSummary[];
  /** A probe of the server after a TLS failure: what it serves, and why the CA does not verify it. */
  probe?: ProbeResult;
  /** The error as the driver (node-postgres) reported it. */
  error?: { message: string; code?: string; stage?: string };
  notes: string[];
}

export interface TestConnectionResult extends Diagnosis {
  ok: boolean;
  details: TestDetails;
}

/** Where a connection attempt was when it ended. */
export type Stage = 'connect' | 'ssl-request' | 'handshake' | 'startup' | 'query';

/** Everything the diagnosis needs about the test so far. */
export interface Ctx {
  c: ConnString;
  host: string;
  port: number;
  hp: string;
  user: string;
  database?: string;
  sslmode: SslMode;
  verify: 'none' | 'ca' | 'full';
  root?: LoadedFile;
  cert?: LoadedFile;
  key?: LoadedFile;
  caPem?: string;
  caCerts: X509Certificate[];
  /** "sslrootcert certs/ca.crt" or "Node's built-in public root CAs (the string has no sslrootcert)". */
  caDesc: string;
  certsDir: string;
  now: Date;
  timeoutMs: number;
  details: TestDetails;
  env: FileEnv;
}

/** What one connection attempt with node-postgres saw. */
export interface Attempt {
  ok: boolean;
  error?: unknown;
  stage: Stage;
  timings: Partial<TestDetails['timings']>;
  protocol?: string;
  cipher?: string;
  chain?: CertDetails[];
  /** Whether a client certificate was offered. */
  sentCert: boolean;
}

/** host:port, with an IPv6 address in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function cn(x: X509Certificate | CertDetails): string {
  if (x instanceof X509Certificate) return certInfo(x).commonName ?? '?';
  return x.subject.CN ?? '?';
}

export function summary(d: CertDetails): CertSummary {
  return {
    subject: d.subjectLine,
    issuer: d.issuerLine,
    sans: sansText(d),
    serial: d.serial,
    notBefore: d.notBefore,
    notAfter: d.notAfter,
    fingerprintSha256: d.fingerprintSha256,
  };
}

export function result(details: TestDetails, category: Category, cause: string, fix: string): TestConnectionResult {
  return { ok: category === 'ok', category, cause, fix, details };
}
