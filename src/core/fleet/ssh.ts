/**
 * The SSH transport: the system OpenSSH client (`ssh`), so host keys are checked by OpenSSH itself
 * against the inventory's known-hosts file only (StrictHostKeyChecking=yes: an unknown or changed
 * key is refused before the session starts, and never added; no global known-hosts file, no
 * KnownHostsCommand, no DNS SSHFP records), with no prompt (BatchMode) and time
 * limits on the connection and on each command. Options on the command line win over ~/.ssh/config.
 */
import { spawn } from 'node:child_process';
import { timerMs } from '../pki/duration';
import { ExecOptions, ExecResult, FleetNode, FleetSshError, FleetTransport, SshFailure } from './types';

export interface SshOptions {
  knownHostsFile: string;
  identityFile?: string;
  /** The ssh program; default "ssh" from PATH. */
  program?: string;
  /** An ssh_config to read instead of ~/.ssh/config ("none": none). */
  configFile?: string;
  connectTimeoutS?: number;
  env?: NodeJS.ProcessEnv;
}

/** Most of what a command prints that we keep: file contents are read in capped parts. */
const MAX_OUTPUT = 8 * 1024 * 1024;

export function sshArgs(o: SshOptions, node: FleetNode): string[] {
  const t = node.target;
  return [
    ...(o.configFile ? ['-F', o.configFile] : []),
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${o.knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    // Trust comes from that file alone: no helper that prints keys, no SSHFP records from DNS.
    '-o',
    'KnownHostsCommand=none',
    '-o',
    'VerifyHostKeyDNS=no',
    '-o',
    'UpdateHostKeys=no',
    '-o',
    'CheckHostIP=no',
    '-o',
    'ControlPath=none',
    '-o',
    'ForwardAgent=no',
    '-o',
    'ClearAllForwardings=yes',
    '-o',
    `ConnectTimeout=${o.connectTimeoutS ?? 10}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    ...(o.identityFile ? ['-o', 'IdentitiesOnly=yes', '-i', o.identityFile] : []),
    '-p',
    String(t.port),
    ...(t.user ? ['-l', t.user] : []),
    '--',
    t.host,
  ];
}

/** What ssh's own failure (exit 255) was, from its messages. */
export function classifySshFailure(stderr: string): SshFailure {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) return 'host-key-changed';
  if (/No \S+ host key is known for|Host key verification failed/i.test(stderr)) return 'host-key-unknown';
  if (/Permission denied/i.test(stderr)) return 'auth';
  if (/Connection refused|Could not resolve hostname|No route to host|Network is unreachable|connect to host .* port/i.test(stderr)) return 'connect';
  if (/timed out/i.test(stderr)) return 'timeout';
  return 'lost';
}

function failureText(kind: SshFailure, node: FleetNode, o: SshOptions, stderr: string): string {
  const at = `${node.name} (${node.ssh})`;
  const last = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
  switch (kind) {
    case 'host-key-unknown':
      return `${at}: its SSH host key is not in ${o.knownHostsFile}, so it was refused before anything was changed: check the key's fingerprint with the node's administrator, then add it (ssh-keyscan -p ${node.target.port} ${node.target.host} prints it) and run again`;
    case 'host-key-changed':
      return `${at}: its SSH host key is not the one in ${o.knownHostsFile} (the key has changed: another machine, or a reinstalled one), so it was refused before anything was changed: find out why, then replace its line in ${o.knownHostsFile} with the checked new key`;
    case 'auth':
      return `${at}: SSH login refused (${last}): set sshIdentityFile in the inventory, or load the key into the SSH agent`;
    case 'connect':
      return `${at}: cannot connect over SSH (${last}): check the host, the port and that sshd runs`;
    case 'timeout':
      return `${at}: SSH timed out (${last}): check the network path to the node`;
    default:
      return `${at}: the SSH connection was lost${last ? ` (${last})` : ''}`;
  }
}

/** The system ssh as a FleetTransport. */
export function systemSshTransport(o: SshOptions): FleetTransport {
  return {
    exec: (node: FleetNode, command: string, e: ExecOptions) => runSsh(o, node, command, e),
  };
}

function runSsh(o: SshOptions, node: FleetNode, command: string, e: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (e.signal?.aborted) return reject(new FleetSshError('cancelled', node.name, `${node.name}: cancelled`));
    const child = spawn(o.program ?? 'ssh', [...sshArgs(o, node), command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: o.env ?? process.env,
    });
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    let why: SshFailure | undefined;
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < MAX_OUTPUT) out.push(b);
      outLen += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 65536) err += b.toString('utf8');
    });
    const stop = (kind: SshFailure) => {
      why = kind;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), timerMs(e.timeoutMs));
    const onAbort = () => stop('cancelled');
    e.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdin.on('error', () => undefined); // the connection failed before it read stdin: the exit says why
    child.stdin.end(e.stdin ?? Buffer.alloc(0));
    child.on('error', (x) => {
      clearTimeout(timer);
      e.signal?.removeEventListener('abort', onAbort);
      reject(new FleetSshError('connect', node.name, `${node.name}: cannot run ssh (${x.message}): install the OpenSSH client`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      e.signal?.removeEventListener('abort', onAbort);
      if (why === 'cancelled') return reject(new FleetSshError('cancelled', node.name, `${node.name}: cancelled`));
      if (why === 'timeout')
        return reject(new FleetSshError('timeout', node.name, `${node.name} (${node.ssh}): no answer over SSH within ${Math.round(e.timeoutMs / 1000)} s`));
      if (code === 255) {
        const kind = classifySshFailure(err);
        return reject(new FleetSshError(kind, node.name, failureText(kind, node, o, err)));
      }
      if (outLen > MAX_OUTPUT) return reject(new FleetSshError('lost', node.name, `${node.name}: the node printed more than ${MAX_OUTPUT} bytes`));
      resolve({ exitCode: code ?? -1, stdout: Buffer.concat(out), stderr: err });
    });
  });
}
