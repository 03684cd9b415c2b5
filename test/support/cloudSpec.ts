/**
 * The contract: the official CockroachDB Cloud API spec, read at test time from
 * ../shared/cloud-api/openapi.json beside the repository (never copied in), and validated with
 * openapi-backend (ajv underneath). Requests and responses that the spec does not allow fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OpenAPIBackend } from 'openapi-backend';
import type { Document } from 'openapi-backend';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from './exec';

/**
 * Where the spec is: $CRDB_TLS_CLOUD_API_SPEC, else shared/cloud-api/openapi.json beside the
 * repository or beside one of its parent folders (a clean clone may sit anywhere: CI clones into a
 * temp dir), else this machine's shared folder (/work/shared). The first that exists; else the
 * path beside the repository, for the error message.
 */
export function findSpec(): string {
  const rel = join('shared', 'cloud-api', 'openapi.json');
  const candidates = [process.env.CRDB_TLS_CLOUD_API_SPEC ?? ''];
  for (let d = dirname(REPO_ROOT); ; d = dirname(d)) {
    candidates.push(join(d, rel));
    if (dirname(d) === d) break;
  }
  candidates.push(join('/work', rel));
  return candidates.find((c) => c && existsSync(c)) ?? join(REPO_ROOT, '..', rel);
}

export const SPEC_PATH = findSpec();

export interface SpecRequest {
  method: string;
  /** Without the query. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface SpecCheck {
  operationId?: string;
  errors: string[];
}

export class CloudSpec {
  private constructor(private readonly api: OpenAPIBackend) {}

  /** Loads and compiles the spec (a few seconds: call once per suite). */
  static async load(): Promise<CloudSpec> {
    if (!existsSync(SPEC_PATH))
      throw new Error(
        `the official Cloud API spec is not at ${SPEC_PATH}: put ../shared/cloud-api/openapi.json beside the repository, or set CRDB_TLS_CLOUD_API_SPEC to it`,
      );
    const definition = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Document;
    const api = new OpenAPIBackend({
      definition,
      strict: false,
      validate: true,
      ajvOpts: { strict: false },
      customizeAjv: (ajv) => {
        addFormats(ajv);
        return ajv;
      },
    });
    await api.init();
    return new CloudSpec(api);
  }

  get version(): string {
    return (this.api.definition.info as { version: string }).version;
  }

  /** The operation a request matches and what the spec says is wrong with it ([] when valid). */
  checkRequest(r: SpecRequest): SpecCheck {
    const req = { method: r.method.toLowerCase(), path: r.path, query: r.query, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) };
    const op = this.api.matchOperation(req);
    if (!op) return { errors: [`${r.method} ${r.path} is not an operation of the spec`] };
    const v = this.api.validateRequest(req, op);
    return { operationId: op.operationId, errors: v.valid ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`) };
  }

  /**
   * What the spec says is wrong with a response body of `operationId` and `status` ([] when valid).
   * An error status is checked against its own schema and the operation's `default` one too (the
   * spec's Status: {code, message, details}), since this spec leaves the 4xx schemas empty.
   */
  checkResponse(operationId: string, status: number, body: unknown): string[] {
    const errors = (v: ReturnType<OpenAPIBackend['validateResponse']>) =>
      v.valid ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    const own = errors(this.api.validateResponse(body, operationId, status));
    if (status < 400) return own;
    // openapi-backend picks the response by key; 'default' is the spec's error shape.
    const shape = errors(this.api.validateResponse(body, operationId, 'default' as unknown as number)).map((e) => `(error shape) ${e}`);
    return [...own, ...shape];
  }
}
