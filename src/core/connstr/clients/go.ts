/** Go drivers: pgx (v4, v5) and lib/pq read the libpq URL themselves, with Go's crypto/tls. */
import { LIBPQ_DEFAULT_CERT } from '../../cockroach/sslmode';
import { dq, libpqUrl } from './encode';
import { KitParts, KitTarget } from './types';

const GO_NOTES = [
  "Go's net/url decodes the percent-encoded paths; crypto/tls verifies the chain and the host name (verify-full).",
  "The run command builds in GOPATH mode (GO111MODULE=off) against the driver installed in $GOPATH/src (go get, or Debian's golang-github-jackc-pgx-v4-dev / golang-github-lib-pq-dev in /usr/share/gocode: GOPATH=/usr/share/gocode); in a module instead: go mod init connect && go mod tidy && go run .",
];

function program(imports: string, open: string, query: string): string {
  return `package main

import (
${imports}
)

const url = %URL%

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
${open}
	var n int
	if err := ${query}.Scan(&n); err != nil {
		fail(err)
	}
	fmt.Println(n)
}
`;
}

/** A Go kit: the URL as the snippet, the program around it, and the driver's notes. */
function goKit(t: KitTarget, imports: string, open: string, query: string, notes: string[]): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: program(imports, open, query).replace('%URL%', dq(url)),
    run: 'GO111MODULE=off go run connect.go',
    notes: [...GO_NOTES, ...notes],
  };
}

export function pgx(t: KitTarget): KitParts {
  return goKit(
    t,
    '\t"context"\n\t"fmt"\n\t"os"\n\n\t"github.com/jackc/pgx/v4"',
    '\tctx := context.Background()\n\tconn, err := pgx.Connect(ctx, url)\n\tif err != nil {\n\t\tfail(err)\n\t}\n\tdefer conn.Close(ctx)',
    'conn.QueryRow(ctx, "SELECT 1")',
    [
      'pgx v5 takes the same URL (import github.com/jackc/pgx/v5); v5 also understands sslrootcert=system, v4 reads a file named "system".',
      'pgx does not check the key file mode (libpq does).',
    ],
  );
}

export function libPq(t: KitTarget): KitParts {
  return goKit(
    t,
    '\t"database/sql"\n\t"fmt"\n\t"os"\n\n\t_ "github.com/lib/pq"',
    '\tdb, err := sql.Open("postgres", url)\n\tif err != nil {\n\t\tfail(err)\n\t}\n\tdefer db.Close()',
    'db.QueryRow("SELECT 1")',
    [
      `lib/pq connects on the first query (sql.Open only checks the URL); it refuses a key with group or world access with its own message, and without sslcert reads ${LIBPQ_DEFAULT_CERT} when it exists.`,
      'lib/pq is in maintenance mode; its authors recommend pgx for new code.',
    ],
  );
}
