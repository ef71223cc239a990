import { parseArgs } from 'node:util';

export const USAGE = `Usage:
  npm run cli -- run <pipeline> [options]   run a pipeline in this process (no Redis, no service)
      --csv <file>       stats: the dataset, a CSV file with a header row
      --bins <n>         stats: histogram bins per column (default 20)
      --step-ms <n>      demo: how long each step waits, in milliseconds (default 500)
      --input <json>     the whole input as JSON; the options above are merged into it
    Prints the result as JSON on stdout, and a progress bar on stderr when it is a terminal.

  npm run cli -- watch <id> [--url <url>] [--after <n>] [--key <key> | --token <token>]
      follow an analysis of a running service (default url http://127.0.0.1:3000),
      printing its events as JSON lines on stdout until the last one
      --key <key>        an API key of the service (default: the RAS_API_KEY variable)
      --token <token>    the analysis's read-only token, instead of a key

Exit status: 0 completed; 1 failed, cancelled or unreachable; 2 usage error; 130 interrupted.`;

/** The command line is wrong: print the message and the usage, exit 2. */
export class UsageError extends Error {}

/** An expected failure (a missing file): print the message, exit 1. */
export class CliError extends Error {}

export type Command =
  | { name: 'help' }
  | {
      name: 'run';
      pipeline: string;
      csv?: string;
      bins?: number;
      stepMs?: number;
      input: Record<string, unknown>;
    }
  | { name: 'watch'; id: string; url: string; after: number; key?: string; token?: string };

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** `env` supplies RAS_API_KEY, the key when --key is not given (a key is better kept out of argv). */
export function parseCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Command {
  const [name, ...rest] = argv;
  switch (name) {
    case 'run':
      return parseRun(rest);
    case 'watch':
      return parseWatch(rest, env);
    case undefined:
      throw new UsageError('Name a command: run or watch.');
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help' };
    default:
      throw new UsageError(`Unknown command "${name}". Commands: run, watch, help.`);
  }
}

function parseRun(argv: string[]): Command {
  const { values, positionals } = parse(argv, {
    csv: { type: 'string' },
    bins: { type: 'string' },
    'step-ms': { type: 'string' },
    input: { type: 'string' },
  });
  const [pipeline, ...extra] = positionals;
  if (!pipeline) throw new UsageError('run needs a pipeline name, like: run stats --csv data.csv');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  return {
    name: 'run',
    pipeline,
    input: values.input === undefined ? {} : jsonObject(values.input),
    ...(values.csv === undefined ? {} : { csv: values.csv }),
    ...(values.bins === undefined ? {} : { bins: integer('--bins', values.bins) }),
    ...(values['step-ms'] === undefined ? {} : { stepMs: integer('--step-ms', values['step-ms']) }),
  };
}

function parseWatch(argv: string[], env: Record<string, string | undefined>): Command {
  const { values, positionals } = parse(argv, {
    url: { type: 'string', default: DEFAULT_URL },
    after: { type: 'string', default: '0' },
    key: { type: 'string' },
    token: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('watch needs one analysis id.');
  const url = values.url ?? DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL like ${DEFAULT_URL} (got "${url}").`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url must start with http:// or https:// (got "${url}").`);
  }
  const after = integer('--after', values.after ?? '0');
  if (after < 0) throw new UsageError('--after must be an integer ≥ 0.');
  const key = values.key ?? (env.RAS_API_KEY?.trim() || undefined);
  return {
    name: 'watch',
    id: positionals[0],
    url: url.replace(/\/+$/, ''),
    after,
    ...(key === undefined ? {} : { key }),
    ...(values.token === undefined ? {} : { token: values.token }),
  };
}

type Options = Record<string, { type: 'string'; default?: string }>;

function parse(argv: string[], options: Options) {
  try {
    return parseArgs({
      args: withAttachedValues(argv, options),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `--token -x…` as `--token=-x…`: every option here takes a value, and job tokens
 * are base64url, so one in 64 starts with a dash, which parseArgs would refuse.
 */
function withAttachedValues(argv: string[], options: Options): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg.startsWith('--') && arg.slice(2) in options && i + 1 < argv.length) {
      args.push(`${arg}=${argv[i + 1]}`);
      i += 1;
    } else args.push(arg);
  }
  return args;
}

function integer(option: string, raw: string): number {
  if (!/^-?\d+$/.test(raw.trim()))
    throw new UsageError(`${option} must be an integer (got "${raw}").`);
  return Number(raw);
}

function jsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`--input is not JSON: ${error instanceof Error ? error.message : error}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--input must be a JSON object, like \'{"stepMs": 100}\'.');
  }
  return value as Record<string, unknown>;
}
