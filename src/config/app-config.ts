/** The service's configuration, read from the environment once at start-up and validated. */

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export interface AppConfig {
  port: number;
  host: string;
  redisUrl: string;
  /** Whether REDIS_URL was set; when not, `npm start` may start a private Redis. */
  redisUrlSet: boolean;
  role: Role;
  workerConcurrency: number;
  keyPrefix: string;
  eventTtlSeconds: number;
  jobLockMs: number;
  maxBodyBytes: number;
  /** How long a stopping worker lets running jobs finish before handing them back to the queue. */
  shutdownGraceMs: number;
  apiKeys: string[];
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

export function loadConfig(env: Env = process.env): AppConfig {
  return {
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: read(env, 'HOST') ?? '127.0.0.1',
    redisUrl: redisUrl(env),
    redisUrlSet: read(env, 'REDIS_URL') !== undefined,
    role: role(env),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 1_000),
    keyPrefix: keyPrefix(env),
    eventTtlSeconds: integer(env, 'EVENT_TTL_SECONDS', 86_400, 1, 315_360_000),
    jobLockMs: integer(env, 'JOB_LOCK_MS', 30_000, 1_000, 3_600_000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 16_777_216, 1_024, 1_073_741_824),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 8_000, 0, 3_600_000),
    apiKeys: (read(env, 'API_KEYS') ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export const runsApi = (config: AppConfig): boolean => config.role !== 'worker';
export const runsWorker = (config: AppConfig): boolean => config.role !== 'api';
