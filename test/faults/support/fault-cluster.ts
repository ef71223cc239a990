import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnalysisEvent, AnalysisSnapshot } from '../../../src/core/analysis.types';
import { type RedisServer, startRedisServer } from '../../../src/local-redis/redis-server';
import { freePort } from '../../support/free-port';
import { type ServiceProcess, startService } from '../../support/service-process';
import { TcpProxy } from '../../support/tcp-proxy';
import { waitUntil } from '../../support/wait';
import { checkInvariants, type InvariantReport, type StoredJob } from './invariants';
import { RecordingClient } from './recording-client';

/** A private redis-server with its append-only file on, that a test may stop and start again. */
export class FaultRedis {
  private server: RedisServer | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<FaultRedis> {
    const redis = new FaultRedis(await freePort(), mkdtempSync(join(tmpdir(), 'ras-faults-')));
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.server = await startRedisServer({ port: this.port, dir: this.dir, persistent: true });
  }

  async down(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ClusterOptions {
  apis: number;
  workers: number;
  /** Each process reaches Redis through a TCP proxy of its own, for cutting. */
  proxied?: boolean;
  env?: Record<string, string>;
}

/** `api` and `worker` processes of the built service (dist/) against one Redis. */
export class FaultCluster {
  readonly apis: ServiceProcess[] = [];
  readonly workers: ServiceProcess[] = [];
  readonly proxies: TcpProxy[] = [];
  readonly clients: RecordingClient[] = [];

  constructor(
    readonly redis: FaultRedis,
    private readonly options: ClusterOptions,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.options.apis; i += 1) this.apis.push(await this.spawn('api'));
    for (let i = 0; i < this.options.workers; i += 1) this.workers.push(await this.spawn('worker'));
  }

  get apiUrls(): string[] {
    return this.apis.map((api) => api.url);
  }

  async spawn(role: 'api' | 'worker'): Promise<ServiceProcess> {
    let redisUrl = this.redis.url;
    if (this.options.proxied) {
      const proxy = await TcpProxy.start(this.redis.url);
      this.proxies.push(proxy);
      redisUrl = `redis://127.0.0.1:${new URL(proxy.url).port}`;
    }
    return startService({
      REDIS_URL: redisUrl,
      ROLE: role,
      JOB_LOCK_MS: '2000',
      SHUTDOWN_GRACE_MS: '1000',
      WORKER_CONCURRENCY: '50',
      RECONCILE_INTERVAL_MS: '1000',
      RATE_LIMIT: '0',
      // 'listening', which startService waits for, is logged at info.
      LOG_LEVEL: 'info',
      ...this.options.env,
    });
  }

  /** Resolves once the clients have seen `count` jobs start, so that a fault lands mid-job. */
  async running(count: number): Promise<void> {
    await waitUntil(
      () => {
        const started = new Set<string>();
        for (const client of this.clients) {
          for (const { id, events } of client.records()) {
            if (events.some((event) => event.type === 'started')) started.add(id);
          }
        }
        return started.size >= count;
      },
      20_000,
      `${count} jobs to start`,
    );
  }

  /** Clients spread over the `api` processes, each following its share of `ids`. */
  follow(ids: string[], clientCount: number): void {
    while (this.clients.length < clientCount) {
      const index = this.clients.length;
      this.clients.push(new RecordingClient(`client-${index}`, this.apiUrls, index));
    }
    ids.forEach((id, index) => this.clients[index % clientCount].follow(id));
  }

  async stop(): Promise<void> {
    this.clients.forEach((client) => client.close());
    await Promise.all([...this.apis, ...this.workers].map((service) => service.stop()));
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
  }
}

export async function post(
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.json() };
}

export function demoJob(): { pipeline: string; input: object } {
  return { pipeline: 'demo', input: { stepMs: 300 + Math.floor(Math.random() * 1_200) } };
}

/**
 * Starts a job through any `api` process, trying again (another process, a moment
 * later) while the service answers 503 or not at all. A request whose answer was
 * lost may still have created a job: the end-of-run sweep finds those too.
 */
export async function startJob(
  urls: string[],
  body: unknown = demoJob(),
  deadlineMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const answer = await post(urls[attempt % urls.length], '/analyses', body);
      if (answer.status === 202) return (answer.body as AnalysisSnapshot).id;
      if (answer.status !== 503) throw new Error(`POST answered ${answer.status}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('POST answered')) throw error;
    }
    if (Date.now() > deadline) throw new Error('could not start a job in time');
    await new Promise((done) => setTimeout(done, 200));
  }
}

async function getJson<T>(url: string): Promise<T | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return response.status === 200 ? ((await response.json()) as T) : undefined;
}

/** The service's events and snapshot of each job, read after the run. */
export async function storedJobs(url: string, ids: string[]): Promise<StoredJob[]> {
  const jobs: StoredJob[] = [];
  for (const id of ids) {
    const snapshot = await getJson<AnalysisSnapshot>(`${url}/analyses/${id}`);
    const events = (await getJson<AnalysisEvent[]>(`${url}/analyses/${id}/events`)) ?? [];
    jobs.push({ id, events, snapshot });
  }
  return jobs;
}

/** Every job the service lists as unfinished (jobs started by a request whose answer was lost included). */
export async function unfinished(url: string): Promise<string[]> {
  const ids: string[] = [];
  for (const status of ['queued', 'running']) {
    const listed =
      (await getJson<AnalysisSnapshot[]>(`${url}/analyses?status=${status}&limit=200`)) ?? [];
    ids.push(...listed.map((snapshot) => snapshot.id));
  }
  return ids;
}

/**
 * Time until the service works end to end again: a new job started through an
 * `api` process completes and its events reach a client.
 */
export async function recoveryTime(urls: string[], from: number): Promise<number> {
  const probe = new RecordingClient('probe', urls);
  try {
    for (;;) {
      const id = await startJob(urls, { pipeline: 'demo', input: { stepMs: 0 } }, 120_000);
      probe.follow(id);
      if (await probe.waitFinished(10_000)) return Date.now() - from;
    }
  } finally {
    probe.close();
  }
}

export interface FaultReport extends InvariantReport {
  name: string;
  /** From the fault's end until a new job runs end to end. */
  recoveryMs: number;
  /** From the fault's end until every client has every job's terminal event. */
  settledMs: number;
  reconnects: number;
}

/** Waits for every client to have every terminal event, then checks the invariants. */
export async function finish(
  cluster: FaultCluster,
  name: string,
  ids: string[],
  healedAt: number,
  recoveryMs: number,
  settleMs = 90_000,
): Promise<FaultReport> {
  await Promise.all(cluster.clients.map((client) => client.waitFinished(settleMs)));
  const settledMs = Date.now() - healedAt;
  const url = cluster.apiUrls[cluster.apiUrls.length - 1];
  const stored = await storedJobs(url, ids);
  const report = checkInvariants(
    stored,
    cluster.clients.flatMap((client) => client.records()),
  );
  const extra = (await unfinished(url)).filter((id) => !ids.includes(id));
  report.stuck += extra.length;
  for (const client of cluster.clients) {
    report.violations.push(
      ...client.refusals.map((refusal) => `${client.name} refused ${refusal}`),
    );
  }
  const result: FaultReport = {
    name,
    ...report,
    recoveryMs,
    settledMs,
    reconnects: cluster.clients.reduce((sum, client) => sum + client.reconnects, 0),
  };
  const dir = resolve(__dirname, '..', '..', '..', '.data', 'faults');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `${name}: jobs ${result.jobs}, events delivered ${result.delivered}, lost ${result.lost}, duplicated ${result.duplicated}, stuck ${result.stuck}, recovery ${(recoveryMs / 1000).toFixed(1)} s, all delivered ${(settledMs / 1000).toFixed(1)} s after, outcomes ${JSON.stringify(result.outcomes)}`,
  );
  return result;
}
