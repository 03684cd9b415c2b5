/** The input and output of building a changefeed sink URI and its SQL: plain data for the CLI, the builder panel and the tests. */
import type { ExpiryThresholds } from '../cockroach/expiry';
import type { CertSummary, KeySummary, PemInput } from './material';
import type { ChangefeedOption } from './sql';
import type { SinkFinding, SinkType } from './types';

export interface SaslSpec {
  /** Undefined: turned on when a user, password or mechanism is given. */
  enabled?: boolean;
  mechanism?: string;
  user?: string;
  password?: string;
}

/** A sink as plain data: what the panel's fields and the CLI's flags hold. */
export interface SinkSpec {
  type: SinkType;
  host: string;
  port?: number;
  /** Further Kafka bootstrap brokers. */
  moreHosts?: { host: string; port?: number }[];
  /** Webhook and schema registry: the URL path. */
  path?: string;
  /** Schema registry (and webhook) basic auth in the URL: `user:password@`. */
  userinfo?: { user: string; password?: string };
  /** Kafka only. Undefined: set to true when ca_cert, client_cert or insecure_tls_skip_verify need it. */
  tlsEnabled?: boolean;
  caCert?: PemInput;
  clientCert?: PemInput;
  clientKey?: PemInput;
  insecureTlsSkipVerify?: boolean;
  topicPrefix?: string;
  topicName?: string;
  sasl?: SaslSpec;
  /** Other query parameters, in order (a webhook forwards them to its endpoint). */
  params?: [string, string][];
}

export interface ChangefeedSpec {
  tables?: string[];
  /** Undefined: `updated, resolved`. */
  options?: ChangefeedOption[];
  /** When set, the SQL is the recommended form: CREATE EXTERNAL CONNECTION, then INTO 'external://<name>'. */
  externalConnection?: string;
  /** A Confluent schema registry for format=avro (Kafka). */
  schemaRegistry?: SinkSpec;
}

export interface BuildInput {
  sink: SinkSpec;
  changefeed?: ChangefeedSpec;
  now?: Date;
  thresholds?: ExpiryThresholds;
  /** Reads certificate files (tests and the editor may pass their own). */
  read?: (path: string) => Buffer;
}

export interface BuiltUri {
  uri: string;
  /** Secrets (client_key, sasl_password, URL password) replaced by `redacted`, as CockroachDB shows sink URIs. */
  maskedUri: string;
  /** Masked, and embedded certificates shortened: for previews. */
  displayUri: string;
  certs: CertSummary[];
  key?: KeySummary;
  findings: SinkFinding[];
}

export interface BuildResult {
  ok: boolean;
  uri: string;
  maskedUri: string;
  displayUri: string;
  registryUri?: string;
  /** The registry URI masked and shortened like displayUri: for previews. */
  registryDisplayUri?: string;
  /** The registry's certificates and key (also at the end of certs), to tell them from the sink's. */
  registryCerts?: CertSummary[];
  registryKey?: KeySummary;
  /** The statements to run: the recommended form when an external connection is named. */
  sql: string[];
  /** The single-statement form, with the URI inline. */
  directSql: string[];
  warnings: SinkFinding[];
  errors: SinkFinding[];
  certs: CertSummary[];
  key?: KeySummary;
}
