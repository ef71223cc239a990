import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE, ROOT } from './paths';
import { isRequest, type RpcResponse } from './rpc';
import { sleep } from './stats';

/** Every process the bench started and has not stopped yet: counted as "ours" in the load meter. */
export const running = new Set<Proc>();

export interface SpawnOptions {
  name: string;
  /** The script to run: a built bench process or the service's dist/main.js. */
  script: string;
  env?: Record<string, string>;
  logDir: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Raise the soft file-descriptor limit of the child to this many (capped by the hard limit). */
  fdLimit?: number;
  /** Resolves once the process is ready; default: its `ready` IPC message. */
  ready?: (proc: Proc) => Promise<void>;
  readyTimeoutMs?: number;
}

/** A child process with an IPC channel, a log file and request/response commands. */
export class Proc {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<void>;
  private nextRpc = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readyInfo: Record<string, unknown> | undefined;
  private readyWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    options: SpawnOptions,
  ) {
    this.logFile = join(options.logDir, `${name}.log`);
    const log = openSync(this.logFile, 'a');
    const nodeArgs = ['--require', PROBE, ...(options.nodeArgs ?? []), options.script];
    const [command, args] =
      options.fdLimit === undefined
        ? [process.execPath, nodeArgs]
        : [
            '/bin/sh',
            [
              '-c',
              `ulimit -n ${options.fdLimit} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`,
              process.execPath,
              ...nodeArgs,
            ],
          ];
    this.child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, BENCH_ROOT: ROOT, ...options.env },
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    running.add(this);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        running.delete(this);
        for (const { reject } of this.pending.values()) {
          reject(new Error(`${this.name} exited`));
        }
        this.pending.clear();
        resolve();
      }),
    );
    this.child.on('message', (message: unknown) => this.onMessage(message));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<T = unknown>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
    const rpc = this.nextRpc++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rpc, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ rpc, cmd, args });
    });
  }

  waitReady(timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.readyInfo) return Promise.resolve(this.readyInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} not ready within ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before it was ready:\n${this.tail()}`));
      });
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.readyInfo ?? {});
      });
    });
  }

  /** The end of the process's log, for error messages. */
  tail(chars = 3000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private onMessage(message: unknown): void {
    if (isRequest(message)) return;
    const response = message as Partial<RpcResponse> & { ready?: boolean };
    if (response.ready) {
      this.readyInfo = response as Record<string, unknown>;
      this.readyWaiters.forEach((wake) => wake());
      this.readyWaiters = [];
      return;
    }
    if (typeof response.rpc !== 'number') return;
    const waiter = this.pending.get(response.rpc);
    if (!waiter) return;
    this.pending.delete(response.rpc);
    if (response.ok) waiter.resolve(response.result);
    else waiter.reject(new Error(`${this.name}: ${response.error}`));
  }
}

export async function startProc(options: SpawnOptions): Promise<Proc> {
  const proc = new Proc(options.name, options);
  try {
    if (options.ready) await withTimeout(options.ready(proc), options.readyTimeoutMs ?? 30_000);
    else await proc.waitReady(options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    proc.kill();
    throw new Error(`${options.name} did not start: ${String(error)}\n${proc.tail()}`);
  }
  return proc;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls GET url until it answers 200. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${proc.name} exited:\n${proc.tail()}`);
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function killAll(): void {
  for (const proc of running) proc.kill();
}
