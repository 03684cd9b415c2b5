/**
 * Strict checks of the JSON this tool reads back (backup manifests, lock journals): they are
 * untrusted input, since a cloned repository can carry both. Every field has a type, a size and a
 * form; anything else is a SchemaError, which the caller turns into one line naming the file.
 */
import { MAX_PEM_BYTES } from '../../input';
import { RotationCommand } from './types';

/** A certs dir holds a few files: a backup lists at most this many files and created paths. */
export const MAX_BACKUP_ENTRIES = 500;
/** The copies of one backup together (each is a certificate or key, at most MAX_PEM_BYTES). */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;
/** A journal lists a rename and a temp per file, plus a few keeps and removals. */
export const MAX_JOURNAL_ENTRIES = 2 * MAX_BACKUP_ENTRIES + 8;
/** Certificates one rotate-client issues: keys are made in one go, under the lock. */
export const MAX_CERTS_PER_PLAN = 100;
/** The largest file a backup copies. */
export const MAX_COPY_BYTES = MAX_PEM_BYTES;

export const ROTATION_COMMANDS: readonly RotationCommand[] = ['rotate-node', 'rotate-client', 'rotate-ca', 'reissue-all', 'prune-ca', 'rollback'];

/** A backup id: stamp() of its time ("20250102T030405678Z"), "-N" when that folder was taken. */
export const BACKUP_ID_RE = /^\d{8}T\d{9}Z(?:-[1-9]\d{0,2})?$/;
export const SHA256_RE = /^[0-9a-f]{64}$/;
const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
/** Control characters: never in a field we echo in messages or use as a name. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_ALL_RE = new RegExp(CONTROL_RE.source, 'g');

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** A value for a message: JSON, short, on one line. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = s.replace(CONTROL_ALL_RE, '?');
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export type Obj = Record<string, unknown>;

/** A plain object with the `required` keys, and no key outside `required` and `optional`. */
export function obj(v: unknown, at: string, required: readonly string[], optional: readonly string[] = []): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(`${at} is ${show(v)}, not an object`);
  const o = v as Obj;
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(o, k)) throw new SchemaError(`${at} has no "${k}"`);
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) throw new SchemaError(`${at} has an unknown field ${show(k)}`);
  return o;
}

export function str(v: unknown, at: string, max = 4096): string {
  if (typeof v !== 'string') throw new SchemaError(`${at} is ${show(v)}, not a string`);
  if (v.length === 0 || v.length > max) throw new SchemaError(`${at} has ${v.length} characters, not 1 to ${max}`);
  if (CONTROL_RE.test(v)) throw new SchemaError(`${at} ${show(v)} holds control characters`);
  return v;
}

export function int(v: unknown, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new SchemaError(`${at} is ${show(v)}, not a whole number from ${min} to ${max}`);
  return v;
}

export function bool(v: unknown, at: string): boolean {
  if (typeof v !== 'boolean') throw new SchemaError(`${at} is ${show(v)}, not true or false`);
  return v;
}

export function arr(v: unknown, at: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new SchemaError(`${at} is ${show(v)}, not a list`);
  if (v.length > max) throw new SchemaError(`${at} has ${v.length} entries, more than the limit of ${max}`);
  return v;
}

export function oneOf<T extends string>(v: unknown, at: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new SchemaError(`${at} is ${show(v)}, not one of ${values.join(', ')}`);
  return v as T;
}

export function matching(v: unknown, at: string, re: RegExp, what: string, max = 256): string {
  const s = str(v, at, max);
  if (!re.test(s)) throw new SchemaError(`${at} is ${show(s)}, not ${what}`);
  return s;
}

export function backupId(v: unknown, at: string): string {
  return matching(v, at, BACKUP_ID_RE, 'a backup id (e.g. 20250102T030405678Z)');
}

export function isoTime(v: unknown, at: string): string {
  const s = matching(v, at, ISO_RE, 'an ISO time (e.g. 2025-01-02T03:04:05.678Z)');
  const t = Date.parse(s);
  if (!Number.isFinite(t) || new Date(t).toISOString() !== s) throw new SchemaError(`${at} ${show(s)} is not a valid time`);
  return s;
}

export function sha256Hex(v: unknown, at: string): string {
  return matching(v, at, SHA256_RE, 'a SHA-256 (64 lowercase hex digits)');
}

/** Signatures by a CA key (proof.ts): at most two, base64. */
export function proofs(v: unknown, at: string): string[] {
  return arr(v, at, 2).map((p, i) => matching(p, `${at}[${i}]`, BASE64_RE, 'base64', 4096));
}

/** Each of `paths` once. */
export function unique(paths: string[], at: string): void {
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw new SchemaError(`${at} lists ${show(p)} twice`);
    seen.add(p);
  }
}
