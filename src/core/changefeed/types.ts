/** Spans are offsets, end exclusive: into the URI for parse results, into the document for findings in text. */
import type { Severity, Span, TextEdit } from '../connstr/types';

export type { Severity, Span, TextEdit };

export interface SinkFix {
  title: string;
  kind: 'edit';
  edits: TextEdit[];
}

/**
 * One check's result. The same code and message appear in the builder panel, the CLI and the
 * editor's diagnostics; `param` names the query parameter it is about, `range` where it is.
 */
export interface SinkFinding {
  code: string;
  severity: Severity;
  message: string;
  param?: string;
  range?: Span;
  fixes?: SinkFix[];
}

export type SinkType = 'kafka' | 'webhook' | 'schema-registry';

/** The query parameters that carry PEM files, base64-encoded. */
export const CERT_PARAMS = ['ca_cert', 'client_cert', 'client_key'] as const;
export type CertParam = (typeof CERT_PARAMS)[number];

/** Parameters whose values are secrets: masked in previews. */
export const SECRET_PARAMS = new Set(['client_key', 'sasl_password', 'sasl_client_secret', 'shared_access_key', 'api_secret']);

/** Kafka parameters that SinkSpec names and the builder writes itself (pkg/ccl/changefeedccl/changefeedbase). */
export const KAFKA_STRUCTURED_PARAMS: ReadonlySet<string> = new Set([
  'tls_enabled',
  'ca_cert',
  'client_cert',
  'client_key',
  'insecure_tls_skip_verify',
  'topic_prefix',
  'topic_name',
  'sasl_enabled',
  'sasl_mechanism',
  'sasl_user',
  'sasl_password',
]);
/** Kafka parameters CockroachDB knows besides those: the builder passes them through. */
export const KAFKA_PASSTHROUGH_PARAMS: ReadonlySet<string> = new Set([
  'sasl_handshake',
  'sasl_client_id',
  'sasl_client_secret',
  'sasl_token_url',
  'sasl_grant_type',
  'sasl_scopes',
  'sasl_aws_iam_role_arn',
  'sasl_aws_region',
  'sasl_aws_iam_session_name',
]);
/** Every Kafka parameter CockroachDB accepts; any other fails the changefeed. */
export const KAFKA_PARAMS: ReadonlySet<string> = new Set([...KAFKA_STRUCTURED_PARAMS, ...KAFKA_PASSTHROUGH_PARAMS]);

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
