// Benchmark: the TLS probe (pgwire SSLRequest, then the TLS handshake, chain and host checks)
// against `openssl s_client -starttls postgres` doing the same handshake with the same CA file.
//
//   Server  a child Node process playing a CockroachDB node on the wire: it answers the 8-byte
//           SSLRequest with 'S' and serves node.crt/node.key issued by dist/cli.js.
//   A       `node dist/cli.js probe 127.0.0.1:PORT --ca-file ca.crt --json` (whole process)
//   A'      probe() in this process (out/src/core/tls/probe.js), no process start-up
//   B       `openssl s_client -starttls postgres -connect 127.0.0.1:PORT -CAfile ca.crt` (whole process)
//   Ratios  A / B and A' / B (medians, interleaved runs). No target is set by the issue: reported.
//
// Use: `node bench/probe.mjs` (BENCH_PROBE_REPS=n, default 15) or import { runProbeBench }.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI = join(ROOT, 'dist', 'cli.js');
const require = createRequire(import.meta.url);

const SERVER = `
const net = require('node:net'); const tls = require('node:tls'); const fs = require('node:fs');
const [cert, key] = [fs.readFileSync(process.argv[1]), fs.readFileSync(process.argv[2])];
const ctx = tls.createSecureContext({ cert, key });
const srv = net.createServer((sock) => {
  sock.once('data', (b) => {
    if (b.length >= 8 && b.readUInt32BE(4) === 80877103) {
      sock.write('S');
      const t = new tls.TLSSocket(sock, { isServer: true, secureContext: ctx });
      t.on('error', () => {});
      t.on('data', () => {});
    } else sock.destroy();
  });
  sock.on('error', () => {});
});
srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: '' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export async function runProbeBench({ reps = Number(process.env.BENCH_PROBE_REPS ?? 15) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-probe-bench-'));
  const certs = join(dir, 'certs');
  let server;
  try {
    timed(process.execPath, [CLI, 'cert', 'create-ca', '--certs-dir', certs, '--ca-key', join(dir, 'ca.key')]);
    timed(process.execPath, [CLI, 'cert', 'create-node', 'localhost', '127.0.0.1', '--certs-dir', certs, '--ca-key', join(dir, 'ca.key')]);
    server = spawn(process.execPath, ['-e', SERVER, join(certs, 'node.crt'), join(certs, 'node.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise((res, rej) => {
      server.stdout.once('data', (b) => res(Number(String(b).trim())));
      server.once('exit', (c) => rej(new Error(`probe bench server exited ${c}`)));
    });
    const ca = join(certs, 'ca.crt');
    const { probe } = require(join(ROOT, 'out', 'src', 'core', 'tls', 'probe.js'));
    // Sanity: both sides complete the handshake and verify the chain.
    const check = JSON.parse(timed(process.execPath, [CLI, 'probe', `127.0.0.1:${port}`, '--ca-file', ca, '--json']).stdout);
    if (!check.verification?.ok || !check.hostname?.ok) throw new Error(`probe did not verify: ${JSON.stringify(check.verification)}`);
    const os = timed('openssl', ['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-verify_return_error', '-brief']);
    void os;
    const cli = [];
    const inproc = [];
    const openssl = [];
    for (let i = 0; i < reps; i++) {
      cli.push(timed(process.execPath, [CLI, 'probe', `127.0.0.1:${port}`, '--ca-file', ca, '--json']).ms);
      const t0 = process.hrtime.bigint();
      const r = await probe('127.0.0.1', port, { caFile: ca });
      inproc.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!r.verification?.ok) throw new Error('in-process probe did not verify');
      openssl.push(
        timed('openssl', ['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-verify_return_error', '-brief']).ms,
      );
    }
    const m = { cliMs: median(cli), inProcessMs: median(inproc), opensslMs: median(openssl) };
    return { reps, ...m, ratioCli: m.cliMs / m.opensslMs, ratioInProcess: m.inProcessMs / m.opensslMs };
  } finally {
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runProbeBench();
  console.log(`probe, ${r.reps} runs each (medians):`);
  console.log(`  crdb-tls probe (whole process)      ${r.cliMs.toFixed(1)} ms`);
  console.log(`  probe() in process                  ${r.inProcessMs.toFixed(1)} ms`);
  console.log(`  openssl s_client -starttls postgres ${r.opensslMs.toFixed(1)} ms`);
  console.log(`  ratios: CLI / openssl ${r.ratioCli.toFixed(2)}, in-process / openssl ${r.ratioInProcess.toFixed(2)}`);
}
