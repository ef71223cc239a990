import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const START_TIMEOUT_MS = 20_000;

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves once the process's output matches `pattern`, however long ago it was written. */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * Runs the built service (`dist/main.js`) as its own process, as production
 * does, and resolves once it logs that it listens.
 */
export async function startService(
  env: Record<string, string>,
  { cwd }: { cwd?: string } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    // RATE_LIMIT off unless a test sets it: suites from one address would otherwise share one counter.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const outputListeners = new Set<() => void>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const service: ServiceProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const matches = (): boolean =>
          typeof pattern === 'string' ? output.includes(pattern) : pattern.test(output);
        if (matches()) return resolve();
        const timer = setTimeout(() => {
          outputListeners.delete(check);
          reject(
            new Error(`no output matching ${String(pattern)} within ${timeoutMs} ms:\n${output}`),
          );
        }, timeoutMs);
        const check = (): void => {
          if (!matches()) return;
          clearTimeout(timer);
          outputListeners.delete(check);
          resolve();
        };
        outputListeners.add(check);
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`service did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString();
      outputListeners.forEach((listener) => listener());
      if (output.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`service exited with code ${code} before it listened:\n${output}`));
    });
  });
  return service;
}

/** Runs the built service expecting it to exit by itself; resolves with its exit code and output. */
export function runServiceToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}
