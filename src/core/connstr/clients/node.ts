/** Node: node-postgres (a URL it reads the files of), TypeORM (file contents in ssl), Prisma (its own URL parameters). */
import { buildUrl, dq, libpqUrl } from './encode';
import { KitParts, KitTarget } from './types';

export function nodePg(t: KitTarget): KitParts {
  const url = libpqUrl(t);
  return {
    snippet: url,
    program: `const { Client } = require('pg');

const connectionString = ${dq(url)};

async function main() {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 AS n');
    console.log(r.rows[0].n);
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`,
    run: 'node connect.js',
    notes: [
      'node-postgres (pg-connection-string) reads the files named by sslrootcert, sslcert and sslkey when the URL is parsed; with verify-full Node checks the chain and the host name.',
      'node-postgres (pg-connection-string 2.x) reads sslmode=prefer, require and verify-ca as verify-full (with a deprecation warning) unless the URL has uselibpqcompat=true, which gives them their libpq meaning; sslrootcert=system is read as a file named "system". Keep verify-full: it means the same to every client.',
      'node-postgres does not check the key file mode (libpq does). npm install pg.',
    ],
  };
}

export function typeorm(t: KitTarget): KitParts {
  const read = (p: string) => `fs.readFileSync(${dq(p)})`;
  const ssl = [`ca: ${read(t.ca)}`, ...(t.cert ? [`cert: ${read(t.cert)}`] : []), ...(t.key ? [`key: ${read(t.key)}`] : [])];
  const options = `{
  type: 'postgres',
  host: ${dq(t.host)},
  port: ${t.port},
  username: ${dq(t.user)},
  database: ${dq(t.database ?? t.user)},
  ssl: { ${ssl.join(', ')} },
}`;
  return {
    snippet: `new DataSource(${options})\n`,
    program: `const fs = require('fs');
const { DataSource } = require('typeorm');

const dataSource = new DataSource(${options.replace(/\n/g, '\n')});

async function main() {
  await dataSource.initialize();
  try {
    const rows = await dataSource.query('SELECT 1 AS n');
    console.log(rows[0].n);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`,
    run: 'node connect.js',
    notes: [
      "TypeORM hands ssl to node-postgres and on to Node's tls: ca, cert and key are the files' contents, read when the program starts (nothing is copied into the code); Node verifies the chain and the host name (verify-full) unless rejectUnauthorized is false.",
      'A url option with sslrootcert=... would also work (node-postgres reads it), but ssl then replaces what the URL says: use one or the other.',
      'npm install typeorm pg.',
    ],
  };
}

export function prisma(t: KitTarget): KitParts {
  const url = buildUrl(t, {
    scheme: 'postgresql',
    params: [
      ['sslmode', 'require'],
      ['sslaccept', 'strict'],
      ['sslcert', t.ca],
      ['sslidentity', t.p12?.path],
      ['sslpassword', t.p12?.password],
    ],
    userIn: 'userinfo',
  });
  const env = `DATABASE_URL=${dq(url)}\n`;
  const schema = `generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "cockroachdb"\n  url      = env("DATABASE_URL")\n}\n`;
  return {
    snippet: `# .env (keep it out of version control: it holds the PKCS#12 password)\n${env}\n// schema.prisma\n${schema}`,
    beside: [
      { name: 'schema.prisma', purpose: 'the Prisma schema: the client generator and the datasource, reading DATABASE_URL', mode: 0o644, content: schema },
      { name: '.env', purpose: 'DATABASE_URL with the PKCS#12 identity and its password (keep it out of version control)', mode: 0o600, content: env },
    ],
    program: `const { PrismaClient } = require('@prisma/client');

const prisma = new PrismaClient();

async function main() {
  const rows = await prisma.$queryRaw\`SELECT 1 AS n\`;
  console.log(Number(rows[0].n));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => prisma.$disconnect());
`,
    run: 'npx prisma generate && node connect.js',
    notes: [
      "Prisma's sslcert is the server's CA (not the client certificate), and the client identity is a PKCS#12 file: sslidentity, with its password in sslpassword.",
      "sslmode=require with sslaccept=strict (the default) verifies the chain and the host name: that is verify-full in Prisma's words; Prisma has no sslmode=verify-full.",
      "Prisma resolves relative certificate paths from the schema's folder (./prisma): the paths here are absolute.",
      'The program needs schema.prisma and .env beside it (--out writes both; prisma generate reads the schema and the client reads DATABASE_URL from .env); npm install prisma @prisma/client, and npx prisma generate downloads the engines.',
    ],
  };
}
