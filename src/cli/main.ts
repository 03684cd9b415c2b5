import { UserError, errMessage, quoteInput, safeMessage } from '../core/errors';
import { parseArgs } from './args';
import { helpFor, helpRequest, mainHelp } from './help';
import type { Io } from './io';
import { flagSpec } from './spec';
import { VERSION } from './version';

// Each command's module is loaded when that command runs: a `cert create-*` does not initialise
// the linter, the changefeed builder or the TLS troubleshooting code.
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  // COMMAND [SUBCOMMAND] ... --help: that command's help from the command table, whatever its flags.
  const helpPath = command === 'help' ? undefined : helpRequest(argv);
  if (helpPath !== undefined) {
    io.out(helpFor(helpPath.split(' ')));
    return 0;
  }
  switch (command) {
    case 'cert':
      return (await import('./cert')).runCert(rest, io);
    case 'lint':
      return (await import('./lint')).runLint(rest, io);
    case 'changefeed-uri':
      return (await import('./changefeed')).runChangefeedUri(rest, io);
    case 'probe':
      return (await import('./probe')).runProbe(rest, io);
    case 'test-connection':
      return (await import('./testConnection')).runTestConnection(rest, io);
    case 'explain':
      return (await import('./explain')).runExplain(rest, io);
    case 'inspect':
      return (await import('./inspect')).runInspect(rest, io);
    case 'verify':
      return (await import('./verify')).runVerify(rest, io);
    case 'cloud':
      return (await import('./cloud')).runCloud(rest, io);
    case 'k8s':
      return (await import('./k8s')).runK8s(rest, io);
    case 'connect':
      return (await import('./connect')).runConnect(rest, io);
    case 'fleet':
      return (await import('./fleet')).runFleet(rest, io);
    case 'monitor':
      return (await import('./monitor')).runMonitor(rest, io);
    case 'completion': {
      const a = parseArgs(rest, flagSpec('completion'), 'completion');
      if (a.positionals.length > 1)
        throw new UserError(`completion takes one shell, got ${quoteInput(a.positionals.join(' '))}: e.g. crdb-tls completion bash.`);
      io.out((await import('./completion')).completionScript(a.positionals[0]));
      return 0;
    }
    case '--help':
      io.out(mainHelp());
      return 0;
    case 'help': {
      // help --help is the help of help; help cert --help that of cert.
      const words = rest.filter((w) => w !== '--help');
      io.out(helpFor(words.length === 0 && rest.length > 0 ? ['help'] : words));
      return 0;
    }
    case '--version':
      io.out(`${VERSION}\n`);
      return 0;
    case undefined:
      io.out(mainHelp());
      return 2;
    default:
      throw new UserError(`unknown command ${quoteInput(command)}: run "crdb-tls --help" for the list.`);
  }
}

if (require.main === module) {
  // Exit once the output is flushed: a key generation started before a check failed must not
  // hold the process open.
  const exit = (code: number) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), env: process.env }).then(
    (code) => exit(code),
    (err: unknown) => {
      const msg = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
      process.stderr.write(`crdb-tls: ${safeMessage(msg)}\n`);
      exit(1);
    },
  );
}
