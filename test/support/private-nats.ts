import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface PrivateNats {
  url: string;
  /** Stops the server, keeping its JetStream store. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  destroy(): Promise<void>;
}

/**
 * A `nats-server -js` of the test's own on a free port, its JetStream store
 * in a temporary directory. Tests never touch a NATS they did not start.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ras-nats-'));
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const server = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child = server;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          server.stderr?.off('data', onData);
          server.stderr?.resume();
          resolve();
        }
      };
      server.stderr?.on('data', onData);
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log}`)));
    });
  };

  const stop = async (): Promise<void> => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
