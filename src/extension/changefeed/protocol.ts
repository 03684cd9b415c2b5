/** Messages between the builder panel (extension) and its webview (media/changefeed/builder.js). */
import type { LiveCategory } from '../../core/changefeed/live';
import type { Severity } from '../../core/changefeed/types';
import type { BuilderForm, CertField } from './form';

/** A certificate or key of the clusters in the tree, offered in a picker. */
export interface CertChoice {
  path: string;
  label: string;
  description: string;
}

export interface ViewFinding {
  severity: Severity;
  code: string;
  message: string;
  /** The picker it is about, when it is about one. */
  field?: CertField;
}

/** One embedded certificate or the key, as a line under its picker and in the summary. */
export interface ViewCert {
  field: CertField;
  param: string;
  line: string;
  severity?: 'error' | 'warning';
}

export interface ViewLive {
  running: boolean;
  /** host:port checked. */
  target: string;
  category?: LiveCategory | 'error';
  message?: string;
}

/** What the webview shows, computed by the extension: no secret is ever in it (URIs and SQL are masked). */
export interface BuilderView {
  ok: boolean;
  /** Secrets redacted, certificates shortened: `ca_cert=<1234 chars>`. */
  displayUri: string;
  /** Secrets redacted, certificates in full. */
  maskedUri: string;
  /** The statements, with the URIs shown as displayUri. */
  sql: string[];
  /** Which SQL `sql` is: the external-connection form, the direct form, or none yet. */
  sqlForm: 'external' | 'direct' | 'none';
  /** Why there is no SQL yet, when there is none. */
  sqlHint?: string;
  findings: ViewFinding[];
  certs: ViewCert[];
  choices: { ca: CertChoice[]; client: CertChoice[]; key: CertChoice[] };
  trusted: boolean;
  /** Where Insert SQL goes: the last active editor's file name, or a new SQL document. */
  insertTarget: string;
  live?: ViewLive;
}

export type ToWebview = { type: 'state'; view: BuilderView; form?: BuilderForm };

export type ToExtension =
  | { type: 'ready' }
  | { type: 'change'; form: Partial<BuilderForm> }
  | { type: 'browse'; field: CertField }
  | { type: 'copy'; what: 'sql' | 'uri' }
  | { type: 'insert' }
  | { type: 'liveCheck' }
  /** Sent by the webview after it drew a state: what a person sees (the tests read it). */
  | { type: 'rendered'; uri: string; sql: string; findings: number; status: string };
