import { CliError, parseCommand, USAGE, UsageError } from './cli-args';
import { runCommand } from './run.command';
import { watchCommand } from './watch.command';

/** `npm run cli -- …`: the service's core, runner and client from a terminal. */
async function main(argv: string[]): Promise<number> {
  const interrupted = new AbortController();
  process.once('SIGINT', () => interrupted.abort());
  const io = { stdout: process.stdout, stderr: process.stderr, signal: interrupted.signal };
  try {
    const command = parseCommand(argv);
    switch (command.name) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'run':
        return await runCommand(command, io);
      case 'watch':
        return await watchCommand(command, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    // Not process.exit(): stdout may still be flushing a large result.
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
