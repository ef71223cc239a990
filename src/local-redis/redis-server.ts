import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  port: number;
  dir: string;
  /** Keep data in an append-only file under `dir` across restarts. */
  persistent: boolean;
}

const READY_LINE = 'Ready to accept connections';
const START_TIMEOUT_MS = 10_000;

export class RedisNotInstalledError extends Error {}

/** Starts a private `redis-server` from the PATH on loopback and waits until it accepts connections. */
export function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  mkdirSync(options.dir, { recursive: true });
  const args = [
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dir,
    '--save',
    '',
    '--appendonly',
    options.persistent ? 'yes' : 'no',
    '--daemonize',
    'no',
    '--loglevel',
    'notice',
  ];
  const child = spawn('redis-server', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  // Never outlive the process that started it.
  const killOnExit = (): boolean => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const server: RedisServer = {
    url: `redis://127.0.0.1:${options.port}`,
    port: options.port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms: ${output.trim()}`),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(server);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new RedisNotInstalledError('redis-server is not on the PATH')
          : error,
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`redis-server exited with code ${code} before it was ready: ${output.trim()}`),
      );
    });
  });
}
