/** The `punie` command line: serve, ask, stdio. */
import { PUNIE_VERSION } from '../util/version';
import { UsageError } from './args';
import { ask, askHelp } from './ask';
import { serve, serveHelp } from './serve';
import { stdio, stdioHelp } from './stdio';

const commands: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  serve: { run: serve, help: serveHelp },
  ask: { run: ask, help: askHelp },
  stdio: { run: stdio, help: stdioHelp },
};

const usage = `Usage: punie <command> [options]

Commands:
  serve   run the Punie agent server (JSON-RPC over WebSocket: /ws, /acp, /health)
  ask     ask one question and stream the answer to stdout
  stdio   ACP on stdin/stdout for editors that start an agent process (Zed, JetBrains), bridged to a server

Run "punie <command> --help" for a command's options. "punie --version" prints the version.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`punie ${PUNIE_VERSION}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`punie: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`punie ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`Error: ${err.message}\n`);
    process.exit(1);
  },
);
