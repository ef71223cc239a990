import type { RedisOptions } from 'ioredis';
import { type ApiKey, KeyListError, parseKeyList } from '../auth/api-keys';

/** The service's configuration, read from the environment once at start-up and validated. */

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `RATE_LIMIT=N/S`: N requests per S seconds. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface AppConfig {
  port: number;
  host: string;
  redisUrl: string;
  /** Whether REDIS_URL or REDIS_CLUSTER_NODES was set; when not, `npm start` may start a private Redis. */
  redisUrlSet: boolean;
  role: Role;
  workerConcurrency: number;
  keyPrefix: string;
  eventTtlSeconds: number;
  jobLockMs: number;
  maxBodyBytes: number;
  /** How long a stopping worker lets running jobs finish before handing them back to the queue. */
  shutdownGraceMs: number;
  /** Keys of the REST API and the gateway; empty means auth off. */
  apiKeys: ApiKey[];
  /** Keys of the queue dashboard. */
  adminKeys: ApiKey[];
  /** Origins allowed cross-origin; empty means same origin only; `['*']` any (auth off only). */
  corsOrigins: string[];
  /** A request that needs an unreachable Redis answers 503 within this. */
  redisTimeoutMs: number;
  logLevel: LogLevelName;
  /** METRICS=off: no HTTP series and no Node.js process metrics (what they cost is in BENCHMARKS.md). */
  metrics: boolean;
  /** New jobs are refused with 503 while this many wait. */
  maxQueuedJobs: number;
  /** Writes per tenant (or client address) and window; undefined when RATE_LIMIT=0. */
  rateLimit: RateLimit | undefined;
  maxSubscriptionsPerSocket: number;
  /** Open SSE streams per process. */
  maxStreams: number;
  /** How often one process checks that every unfinished job is still in BullMQ and trims indexes. */
  reconcileIntervalMs: number;
  /** Connection options a host app gave AnalysisModule instead of a URL; they win over `redisUrl`. */
  redisOptions?: RedisOptions;
  /** REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster; empty means the one Redis at `redisUrl`. */
  redisClusterNodes: RedisNode[];
  /** BullMQ queues the work is split over, each in its own hash slot. */
  queueShards: number;
  /** Replicas an event must reach (WAIT) before it counts as published; 0 waits for none. */
  redisWaitReplicas: number;
  /** How long an event waits for those replicas. */
  redisWaitMs: number;
  /** NATS_URL set: the NATS entry and the JetStream event stream; undefined: nothing of NATS loads. */
  nats: NatsConfig | undefined;
}

export interface RedisNode {
  host: string;
  port: number;
}

export interface NatsConfig {
  url: string;
  /** Subject prefix: `<subject>.start`, `<subject>.cancel`, `<subject>.events.<id>`. */
  subject: string;
  /** The JetStream stream that keeps the events. */
  stream: string;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function redisUrl(env: Env): string {
  const raw = read(env, 'REDIS_URL') ?? DEFAULT_REDIS_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', `must be a URL like ${DEFAULT_REDIS_URL} (got "${raw}")`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', `must start with redis:// or rediss:// (got "${raw}")`);
  }
  return raw;
}

function role(env: Env): Role {
  const raw = read(env, 'ROLE') ?? 'all';
  if (!(ROLES as readonly string[]).includes(raw)) {
    throw new ConfigError('ROLE', `must be one of ${ROLES.join(', ')} (got "${raw}")`);
  }
  return raw as Role;
}

function keyPrefix(env: Env): string {
  const raw = read(env, 'KEY_PREFIX') ?? 'ras';
  if (!/^[A-Za-z0-9_:{}-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      'KEY_PREFIX',
      `must be 1 to 64 characters of letters, digits and _ : { } - (got "${raw}")`,
    );
  }
  return raw;
}

function redisClusterNodes(env: Env): RedisNode[] {
  const raw = read(env, 'REDIS_CLUSTER_NODES');
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const match = /^\s*(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})\s*$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) {
      throw new ConfigError(
        'REDIS_CLUSTER_NODES',
        `must list seed nodes like 10.0.0.1:7000,10.0.0.2:7000 (got "${entry.trim()}")`,
      );
    }
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

/** On a cluster the service places hash tags itself: one in the prefix would put every key in one slot. */
function clusterSafePrefix(prefix: string, clustered: boolean): string {
  if (clustered && /\{.*\}/.test(prefix)) {
    throw new ConfigError(
      'KEY_PREFIX',
      `must contain no {…} hash tag when REDIS_CLUSTER_NODES is set (got "${prefix}")`,
    );
  }
  return prefix;
}

/** BullMQ queues the work is split over (1 to 64); each worker process consumes them all. */
function queueShards(env: Env): number {
  return integer(env, 'QUEUE_SHARDS', 1, 1, 64);
}

function nats(env: Env): NatsConfig | undefined {
  const url = read(env, 'NATS_URL');
  if (url === undefined) return undefined;
  if (!/^(nats|tls|wss?):\/\/[^\s]+$/.test(url)) {
    throw new ConfigError('NATS_URL', 'must be a nats://, tls:// or ws(s):// URL');
  }
  const subject = read(env, 'NATS_SUBJECT') ?? 'analyses';
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject) || subject.length > 128) {
    throw new ConfigError(
      'NATS_SUBJECT',
      `must be dot-separated tokens of letters, digits, _ and - (got "${subject}")`,
    );
  }
  const stream = read(env, 'NATS_STREAM') ?? 'ANALYSES';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    throw new ConfigError(
      'NATS_STREAM',
      `must be 1 to 64 letters, digits, _ and - (got "${stream}")`,
    );
  }
  return { url, subject, stream };
}

function keyList(env: Env, name: string): ApiKey[] {
  try {
    return parseKeyList(read(env, name) ?? '');
  } catch (error) {
    if (error instanceof KeyListError)
      throw new ConfigError(name, `has an invalid ${error.message}`);
    throw error;
  }
}

function corsOrigins(env: Env, authOn: boolean): string[] {
  const origins = (read(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  for (const origin of origins) {
    if (origin === '*') {
      if (authOn) throw new ConfigError('CORS_ORIGINS', 'may be "*" only while API_KEYS is empty');
      if (origins.length > 1) throw new ConfigError('CORS_ORIGINS', '"*" must stand alone');
    } else if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must list origins like https://app.example.com, without a path (got "${origin}")`,
      );
    }
  }
  return origins;
}

function logLevel(env: Env): LogLevelName {
  const raw = read(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")`);
  }
  return raw as LogLevelName;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'on' && raw !== 'off')
    throw new ConfigError(name, `must be on or off (got "${raw}")`);
  return raw === 'on';
}

function rateLimit(env: Env): RateLimit | undefined {
  const raw = read(env, 'RATE_LIMIT') ?? '600/60';
  if (raw === '0') return undefined;
  const match = /^(\d{1,9})\/(\d{1,6})$/.exec(raw);
  const limit = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || limit < 1 || windowSeconds < 1) {
    throw new ConfigError(
      'RATE_LIMIT',
      `must be requests/seconds like 600/60, or 0 to turn it off (got "${raw}")`,
    );
  }
  return { limit, windowSeconds };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const apiKeys = keyList(env, 'API_KEYS');
  const clusterNodes = redisClusterNodes(env);
  return {
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: read(env, 'HOST') ?? '127.0.0.1',
    redisUrl: redisUrl(env),
    redisUrlSet: read(env, 'REDIS_URL') !== undefined || clusterNodes.length > 0,
    role: role(env),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 1_000),
    keyPrefix: clusterSafePrefix(keyPrefix(env), clusterNodes.length > 0),
    eventTtlSeconds: integer(env, 'EVENT_TTL_SECONDS', 86_400, 1, 315_360_000),
    jobLockMs: integer(env, 'JOB_LOCK_MS', 30_000, 1_000, 3_600_000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 16_777_216, 1_024, 1_073_741_824),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 8_000, 0, 3_600_000),
    apiKeys,
    adminKeys: keyList(env, 'ADMIN_KEYS'),
    corsOrigins: corsOrigins(env, apiKeys.length > 0),
    redisTimeoutMs: integer(env, 'REDIS_TIMEOUT_MS', 5_000, 100, 600_000),
    logLevel: logLevel(env),
    metrics: onOff(env, 'METRICS', true),
    maxQueuedJobs: integer(env, 'MAX_QUEUED_JOBS', 10_000, 1, 100_000_000),
    rateLimit: rateLimit(env),
    maxSubscriptionsPerSocket: integer(env, 'MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
    maxStreams: integer(env, 'MAX_STREAMS', 10_000, 1, 1_000_000),
    reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_MS', 30_000, 100, 3_600_000),
    redisClusterNodes: clusterNodes,
    queueShards: queueShards(env),
    redisWaitReplicas: integer(env, 'REDIS_WAIT_REPLICAS', 0, 0, 16),
    redisWaitMs: integer(env, 'REDIS_WAIT_MS', 1_000, 1, 60_000),
    nats: nats(env),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export const runsApi = (config: AppConfig): boolean => config.role !== 'worker';
export const runsWorker = (config: AppConfig): boolean => config.role !== 'api';
