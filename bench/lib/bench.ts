import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { LoadMeter, type LoadSample, processTicks } from './load';
import { running, type Proc, startProc, waitForHttp } from './proc';
import { BUILD_DIR, SERVICE_MAIN } from './paths';
import { freePort } from '../../test/support/free-port';

export interface BenchOptions {
  redisUrl: string;
  redisPid: number;
  workDir: string;
  /** Runs per cell (≥ 3). */
  runs: number;
  /** Scales every measured window; 1 is the documented suite. */
  scale: number;
  /** Write CPU profiles of the service processes (node --cpu-prof) under workDir/profiles. */
  profile: boolean;
  /** BENCH_AUTH=compare: scenarios 2 to 4 add the `auth` contender. */
  compareAuth: boolean;
}

export type Variant = 'service' | 'bare';

/**
 * Under BENCH_AUTH=compare, scenarios 2 to 4 also run `auth`: the service with
 * API_KEYS set and clients sending the key, interleaved with the others in
 * every run, so that both see the same machine.
 */
export type Contender = Variant | 'auth';

/** The key the `auth` contender's service gets in API_KEYS and its clients send. */
export const BENCH_API_KEY = 'bench_api_key_0123456789abcdef';

/** The service's environment for the `auth` contender. */
export const AUTH_ENV = { API_KEYS: `bench:${BENCH_API_KEY}` };

/** Request headers of a contender's clients. */
export function authHeaders(contender: Contender): Record<string, string> {
  return contender === 'auth' ? { authorization: `Bearer ${BENCH_API_KEY}` } : {};
}

/** What every scenario needs: the private Redis, process spawning, the load meter, the log. */
export class Bench {
  readonly admin: Redis;
  readonly meter: LoadMeter;
  readonly logDir: string;
  readonly profileDir: string;
  private procCount = 0;

  constructor(readonly options: BenchOptions) {
    this.admin = new Redis(options.redisUrl, { connectionName: 'bench:admin' });
    this.logDir = join(options.workDir, 'logs');
    this.profileDir = join(options.workDir, 'profiles');
    mkdirSync(this.logDir, { recursive: true });
    this.meter = new LoadMeter(() => [
      process.pid,
      options.redisPid,
      ...[...running].map((proc) => proc.pid),
    ]);
  }

  get redisUrl(): string {
    return this.options.redisUrl;
  }

  /** Milliseconds of a measured window, scaled. */
  ms(base: number): number {
    return Math.max(200, Math.round(base * this.options.scale));
  }

  /** Whether a cell is selected by BENCH_CELLS (a regular expression over cell labels; all by default). */
  wants(cell: string): boolean {
    const pattern = process.env.BENCH_CELLS;
    return !pattern || new RegExp(pattern, 'i').test(cell);
  }

  /**
   * The contenders of scenarios 2 to 4 in run `run`'s order: rotated from run
   * to run, so that each goes first, second (and third) equally often.
   */
  contenders(run: number): Contender[] {
    const all: Contender[] = this.options.compareAuth
      ? ['service', 'auth', 'bare']
      : ['service', 'bare'];
    const shift = run % all.length;
    return [...all.slice(shift), ...all.slice(0, shift)];
  }

  log(line: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  }

  async flush(): Promise<void> {
    await this.admin.flushall();
    await this.admin.config('RESETSTAT');
  }

  /** Redis commands slower than 1 ms since the last call, slowest first (SLOWLOG), then cleared. */
  async slowlog(): Promise<{ count: number; slowest: { micros: number; command: string }[] }> {
    const entries = (await this.admin.call('SLOWLOG', 'GET', '128')) as [
      number,
      number,
      number,
      string[],
    ][];
    await this.admin.call('SLOWLOG', 'RESET');
    const slowest = entries
      .map(([, , micros, args]) => ({
        micros,
        command: args
          .slice(0, 4)
          .map((arg) => String(arg).slice(0, 48))
          .join(' '),
      }))
      .sort((a, b) => b.micros - a.micros)
      .slice(0, 5);
    return { count: entries.length, slowest };
  }

  /** The built service (dist/main.js) in a role, on a free port; resolves once /health/live answers. */
  async startService(
    role: 'api' | 'worker' | 'all',
    env: Record<string, string> = {},
    extra: { fdLimit?: number; exposeGc?: boolean } = {},
  ): Promise<Proc & { url: string }> {
    const port = await freePort();
    const name = `service-${role}-${++this.procCount}`;
    const url = `http://127.0.0.1:${port}`;
    const proc = await startProc({
      name,
      script: SERVICE_MAIN,
      logDir: this.logDir,
      fdLimit: extra.fdLimit,
      nodeArgs: this.nodeArgs(name, extra.exposeGc),
      env: {
        REDIS_URL: this.redisUrl,
        ROLE: role,
        PORT: String(port),
        HOST: '127.0.0.1',
        // The load comes from one address and one tenant, and enqueues with no worker running:
        // the rate limit and the queue bound would measure themselves.
        RATE_LIMIT: '0',
        MAX_QUEUED_JOBS: '100000000',
        ...env,
      },
      ready: (started) => waitForHttp(`${url}/health/live`, started),
    });
    return Object.assign(proc, { url });
  }

  /** A bench process (bare baseline, clients, publisher) from the bundle; resolves once it is ready. */
  async startBench(
    script: string,
    env: Record<string, string> = {},
    extra: { fdLimit?: number; exposeGc?: boolean } = {},
  ): Promise<Proc & { url: string }> {
    const name = `${script}-${++this.procCount}`;
    const proc = await startProc({
      name,
      script: join(BUILD_DIR, 'procs', `${script}.js`),
      logDir: this.logDir,
      fdLimit: extra.fdLimit,
      // Baselines are profiled with the service; clients and publishers are not.
      nodeArgs: script.startsWith('bare-')
        ? this.nodeArgs(name, extra.exposeGc)
        : extra.exposeGc
          ? ['--expose-gc']
          : [],
      env: { REDIS_URL: this.redisUrl, ...env },
    });
    const info = await proc.waitReady(1_000);
    return Object.assign(proc, { url: `http://127.0.0.1:${String(info.port ?? 0)}` });
  }

  /** Runs `body` between load-meter readings; returns its result and the machine's background load. */
  async measured<T>(body: () => Promise<T>): Promise<{ result: T; load: LoadSample }> {
    this.meter.start();
    const result = await body();
    return { result, load: this.meter.stop() };
  }

  /** CPU seconds used so far by a process. */
  cpuSeconds(pid: number): number {
    return processTicks(pid) / 100;
  }

  async redisCpuSeconds(): Promise<number> {
    const info = await this.admin.info('cpu');
    const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
    return field('used_cpu_sys') + field('used_cpu_user');
  }

  /** Calls per command since the last RESETSTAT (Lua's inner calls included). */
  async commandStats(): Promise<Record<string, number>> {
    const info = await this.admin.info('commandstats');
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) {
      calls[match[1]] = Number(match[2]);
    }
    return calls;
  }

  /** Connections Redis has open, but the bench's own (named `bench:*`). */
  async serviceConnections(): Promise<{ total: number; names: string[] }> {
    const list = (await this.admin.client('LIST')) as string;
    const names = list
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
      .filter((name) => !name.startsWith('bench:'));
    return { total: names.length, names };
  }

  async close(): Promise<void> {
    await this.admin.quit();
  }

  private nodeArgs(name: string, exposeGc = false): string[] {
    return [
      ...(exposeGc ? ['--expose-gc'] : []),
      ...(this.options.profile
        ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
        : []),
    ];
  }
}
