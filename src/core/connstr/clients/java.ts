/** Java: pgjdbc's URL with the PKCS#8 DER key, and DBeaver, which connects with pgjdbc. */
import { buildUrl, dq, libpqParams, shellWord } from './encode';
import { KitParts, KitTarget } from './types';

export function jdbcUrl(t: KitTarget): string {
  return buildUrl(t, { scheme: 'jdbc:postgresql', params: libpqParams(t, t.pk8 ?? t.key), userIn: 'param' });
}

function javaProgram(url: string): string {
  return `import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

public class Connect {
    public static void main(String[] args) throws Exception {
        String url = ${dq(url)};
        try (Connection conn = DriverManager.getConnection(url);
                ResultSet rs = conn.createStatement().executeQuery("SELECT 1")) {
            rs.next();
            System.out.println(rs.getInt(1));
        }
    }
}
`;
}

/** java runs the single-file program (Java 11+) with pgjdbc on the class path: the jar found on this machine, else postgresql.jar beside it. */
const run = (t: KitTarget) => `java -cp ${shellWord(t.pgjdbcJar ?? 'postgresql.jar')} Connect.java`;

const JDBC_NOTES = [
  'pgjdbc reads the client key as DER PKCS#8 (.pk8) only: given a PEM key it silently sends no certificate and the server asks for a password. A .p12/.pfx sslkey is read as a PKCS#12 keystore (sslpassword), and sslcert is then ignored.',
  'pgjdbc percent-decodes the URL values ("+" as a space): the paths are percent-encoded, "+" as %2B.',
  "The run command puts pgjdbc on the class path (-cp): Debian's libpostgresql-jdbc-java at /usr/share/java/postgresql.jar when it is installed, else postgresql.jar beside the program (Maven org.postgresql:postgresql); java runs the single-file program directly (Java 11+).",
  'Without sslcert/sslkey pgjdbc reads ~/.postgresql/postgresql.crt and postgresql.pk8 when they exist.',
];

export function jdbc(t: KitTarget): KitParts {
  const url = jdbcUrl(t);
  return { snippet: url, program: javaProgram(url), run: run(t), notes: JDBC_NOTES };
}

export function dbeaver(t: KitTarget): KitParts {
  const key = t.pk8 ?? t.key;
  const lines = [
    'Connection settings, PostgreSQL driver (DBeaver connects with pgjdbc):',
    `  Main: Host ${t.host}, Port ${t.port}, Database ${t.database ?? t.user}, Authentication "Database Native", Username ${t.user}, no password`,
    '  SSL tab: Use SSL on',
    `    Root certificate: ${t.ca}`,
    ...(t.cert ? [`    Client certificate: ${t.cert}`] : []),
    ...(key ? [`    Client private key: ${key}`] : []),
    '    SSL mode: verify-full',
    'The same as driver properties (Driver properties tab), which pgjdbc reads:',
    '  sslmode=verify-full',
    `  sslrootcert=${t.ca}`,
    ...(t.cert ? [`  sslcert=${t.cert}`] : []),
    ...(key ? [`  sslkey=${key}`] : []),
  ];
  return {
    snippet: lines.join('\n') + '\n',
    program: javaProgram(jdbcUrl(t)),
    run: run(t),
    notes: [
      'DBeaver is a desktop application: the program is the pgjdbc connection its settings make, to check the files outside DBeaver.',
      'The SSL tab takes file paths as they are (no percent-encoding); the key must be the .pk8 (pgjdbc), not the PEM key.',
      ...JDBC_NOTES.slice(0, 1),
    ],
  };
}
