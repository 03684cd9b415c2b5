/** Clients over libpq (psql, psycopg 2 and 3, SQLAlchemy's cockroachdb dialect, ruby-pg) and the cockroach SQL shell: one URL. */
import { dq, libpqUrl, rubyString, shellWord } from './encode';
import { KitParts, KitTarget } from './types';

const LIBPQ_NOTES = [
  'libpq decodes %XX in URL values: the paths are percent-encoded, so spaces, "#", "&" and Windows drive letters and backslashes survive.',
  'libpq refuses a key with group or world access (chmod 600 the key, 640 at most when it is owned by root).',
  'Without sslcert/sslkey libpq sends ~/.postgresql/postgresql.crt and .key when they exist: the URL names its files so that nothing else takes part.',
];

export function psql(t: KitTarget): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: `#!/bin/sh\n# Connects with verify-full and the client certificate, runs SELECT 1, prints 1.\nexec psql ${shellWord(url)} -X -A -t -c 'SELECT 1'\n`,
    run: 'sh connect.sh',
    notes: [...LIBPQ_NOTES, 'In a shell, quote the URL: "&" and "?" are special to it.'],
  };
}

export function cockroachSql(t: KitTarget): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: `#!/bin/sh\n# The cockroach SQL shell (cockroach-sql, or cockroach sql) with the same URL.\nexec cockroach-sql --url ${shellWord(url)} --format=csv -e 'SELECT 1'\n`,
    run: 'sh connect.sh',
    notes: [
      'cockroach sql defaults to verify-full and reads sslrootcert, sslcert and sslkey from the URL (or ca.crt and client.<user>.crt/.key from --certs-dir); it does not accept sslmode=allow or prefer.',
      'With --format=csv it prints a header line ("?column?") before the 1.',
    ],
  };
}

export function psycopg2(t: KitTarget): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: `import psycopg2

DSN = ${dq(url)}

conn = psycopg2.connect(DSN)
try:
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        print(cur.fetchone()[0])
finally:
    conn.close()
`,
    run: 'python3 connect.py',
    notes: [
      ...LIBPQ_NOTES,
      "psycopg2 passes the URL to libpq unchanged: libpq's rules and messages apply (pip install psycopg2-binary, or Debian's python3-psycopg2).",
    ],
  };
}

export function psycopg3(t: KitTarget): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: `import psycopg

DSN = ${dq(url)}

with psycopg.connect(DSN) as conn:
    print(conn.execute("SELECT 1").fetchone()[0])
`,
    run: 'python3 connect.py',
    notes: [...LIBPQ_NOTES, "psycopg 3 also runs over libpq (pip install 'psycopg[binary]', or Debian's python3-psycopg)."],
  };
}

export function sqlalchemy(t: KitTarget): KitParts {
  const url = libpqUrl(t, 'cockroachdb');
  return {
    snippet: url,
    program: `from sqlalchemy import create_engine, text

engine = create_engine(${dq(url)})
with engine.connect() as conn:
    print(conn.execute(text("SELECT 1")).scalar())
`,
    run: 'python3 connect.py',
    notes: [
      'The cockroachdb:// scheme is the sqlalchemy-cockroachdb dialect (pip install sqlalchemy-cockroachdb psycopg2-binary); postgresql:// would use the PostgreSQL dialect, which trips over CockroachDB (version string, transactions). cockroachdb+psycopg:// uses psycopg 3.',
      'SQLAlchemy decodes the query values ("+" as a space): the paths are percent-encoded, "+" as %2B, and handed to psycopg2, so libpq reads them.',
      ...LIBPQ_NOTES.slice(1),
    ],
  };
}

export function rubyPg(t: KitTarget): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: `require 'pg'

conn = PG.connect(${rubyString(url)})
begin
  puts conn.exec('SELECT 1').getvalue(0, 0)
ensure
  conn.close
end
`,
    run: 'ruby connect.rb',
    notes: [...LIBPQ_NOTES, "ruby-pg passes the URL to libpq (gem install pg, or Debian's ruby-pg)."],
  };
}
