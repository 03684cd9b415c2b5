/** SQL text for changefeeds: string literals, names, options, the statements. */

/** CockroachDB's reserved keywords: as a bare name they are a syntax error. */
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric both case cast check collate column concurrently
constraint create current_catalog current_date current_role current_schema current_time current_timestamp current_user default
deferrable desc distinct do else end except false fetch for foreign from grant group having in index initially intersect into
lateral leading limit localtime localtimestamp not nothing null offset on only or order placing primary references returning
select session_user some symmetric table then to trailing true union unique user using variadic when where window with`.split(/\s+/),
);

/** A SQL string literal: single quotes doubled. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A name part as written: bare when it is a plain lower-case identifier, else double-quoted. */
export function sqlIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A table target as given (`t`, `db.public.t`, `"My Table"`): parts already quoted are kept, bare
 * parts that read as identifiers are kept (the server folds them to lower case), others quoted.
 */
export function tableName(input: string): { sql?: string; error?: string } {
  const parts: string[] = [];
  let i = 0;
  const s = input.trim();
  if (!s) return { error: 'a table name is empty: pass --table with a name such as movr.public.rides.' };
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let part = '';
      for (;;) {
        if (j >= s.length) return { error: `table name ${input} has an unterminated double quote: close it, e.g. "My Table".` };
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            part += '"';
            j += 2;
            continue;
          }
          break;
        }
        part += s[j++];
      }
      parts.push(`"${part.replace(/"/g, '""')}"`);
      i = j + 1;
    } else {
      const dot = s.indexOf('.', i);
      const raw = s.slice(i, dot < 0 ? s.length : dot);
      if (!raw) return { error: `table name ${input} has an empty part: write db.schema.table.` };
      parts.push(/^[A-Za-z_][A-Za-z0-9_$]*$/.test(raw) && !RESERVED.has(raw.toLowerCase()) ? raw : sqlIdent(raw));
      i = dot < 0 ? s.length : dot;
    }
    if (i < s.length) {
      if (s[i] !== '.') return { error: `table name ${input} has text after a quoted part: separate parts with dots.` };
      i++;
      if (i === s.length) return { error: `table name ${input} ends with a dot: write db.schema.table.` };
    }
  }
  if (parts.length > 3) return { error: `table name ${input} has more than three parts: write db.schema.table.` };
  return { sql: parts.join('.') };
}

/**
 * An external connection name, used bare in CREATE EXTERNAL CONNECTION and as the host of
 * external://<name>: a lower-case SQL identifier (letters, digits, underscores), not a keyword.
 */
export function checkConnectionName(name: string): string | undefined {
  const suggestion =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^([0-9])/, '_$1') || 'kafka_sink';
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    return `external connection name ${JSON.stringify(name)} is not a plain SQL identifier: use lower-case letters, digits and underscores, e.g. ${suggestion}.`;
  }
  if (RESERVED.has(name)) return `external connection name ${JSON.stringify(name)} is a reserved SQL keyword: choose another, e.g. ${name}_sink.`;
  return undefined;
}

export interface ChangefeedOption {
  name: string;
  /** Absent for flags (updated, resolved, diff); rendered as a string literal. */
  value?: string;
}

/** CockroachDB's changefeed options (WITH ...), to catch typos. */
export const KNOWN_OPTIONS = new Set([
  'updated',
  'resolved',
  'diff',
  'envelope',
  'format',
  'confluent_schema_registry',
  'initial_scan',
  'no_initial_scan',
  'initial_scan_only',
  'end_time',
  'cursor',
  'full_table_name',
  'key_in_value',
  'topic_in_value',
  'kafka_sink_config',
  'webhook_sink_config',
  'webhook_auth_header',
  'webhook_client_timeout',
  'min_checkpoint_frequency',
  'mvcc_timestamp',
  'on_error',
  'protect_data_from_gc_on_pause',
  'gc_protect_expires_after',
  'schema_change_events',
  'schema_change_policy',
  'split_column_families',
  'virtual_columns',
  'avro_schema_prefix',
  'compression',
  'key_column',
  'unordered',
  'lagging_ranges_threshold',
  'lagging_ranges_polling_interval',
  'metrics_label',
  'execution_locality',
  'encode_json_value_null_as_object',
  'headers_json_column_name',
  'extra_headers',
  'pubsub_sink_config',
]);

/** Parses `updated`, `resolved=10s`, `format=avro` (CLI --option) into an option. */
export function parseOption(text: string): ChangefeedOption {
  const eq = text.indexOf('=');
  if (eq < 0) return { name: text.trim().toLowerCase() };
  let value = text.slice(eq + 1).trim();
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1).replace(/''/g, "'");
  return { name: text.slice(0, eq).trim().toLowerCase(), value };
}

export function renderOptions(options: ChangefeedOption[]): string {
  return options.map((o) => (o.value === undefined ? o.name : `${o.name} = ${sqlString(o.value)}`)).join(', ');
}

export function createChangefeed(tables: string[], into: string, options: ChangefeedOption[]): string {
  const withClause = options.length > 0 ? ` WITH ${renderOptions(options)}` : '';
  return `CREATE CHANGEFEED FOR TABLE ${tables.join(', ')} INTO ${sqlString(into)}${withClause};`;
}

export function createExternalConnection(name: string, uri: string): string {
  return `CREATE EXTERNAL CONNECTION ${name} AS ${sqlString(uri)};`;
}
