import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      redisUrlSet: false,
      role: 'all',
      workerConcurrency: 4,
      keyPrefix: 'ras',
      eventTtlSeconds: 86_400,
      jobLockMs: 30_000,
      maxBodyBytes: 16_777_216,
      shutdownGraceMs: 8_000,
      apiKeys: [],
      adminKeys: [],
      corsOrigins: [],
      redisTimeoutMs: 5_000,
      logLevel: 'info',
      metrics: true,
      maxQueuedJobs: 10_000,
      rateLimit: { limit: 600, windowSeconds: 60 },
      maxSubscriptionsPerSocket: 100,
      maxStreams: 10_000,
      reconcileIntervalMs: 30_000,
      redisClusterNodes: [],
      queueShards: 1,
      redisWaitReplicas: 0,
      redisWaitMs: 1_000,
    });
  });

  it('reads the Redis Cluster settings', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002',
      QUEUE_SHARDS: '1',
      REDIS_WAIT_REPLICAS: '1',
      REDIS_WAIT_MS: '250',
    });
    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config).toMatchObject({
      queueShards: 1,
      redisWaitReplicas: 1,
      redisWaitMs: 250,
      redisUrlSet: true,
    });
  });

  it('reads QUEUE_SHARDS from 1 to 64 and refuses anything else', () => {
    expect(loadConfig({ QUEUE_SHARDS: '4' }).queueShards).toBe(4);
    expect(loadConfig({ QUEUE_SHARDS: '64' }).queueShards).toBe(64);
    expect(() => loadConfig({ QUEUE_SHARDS: '65' })).toThrow(/QUEUE_SHARDS/);
    expect(() => loadConfig({ QUEUE_SHARDS: '0' })).toThrow(/QUEUE_SHARDS must be an integer/);
  });

  it('refuses a malformed seed node, naming the variable', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES must list seed nodes like .*\(got "10.0.0.1"\)/,
    );
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:70000' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('refuses a KEY_PREFIX with a hash tag in cluster mode only', () => {
    expect(loadConfig({ KEY_PREFIX: '{a}:ras' }).keyPrefix).toBe('{a}:ras');
    expect(() =>
      loadConfig({ KEY_PREFIX: '{a}:ras', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }),
    ).toThrow(/KEY_PREFIX must contain no \{…\} hash tag when REDIS_CLUSTER_NODES is set/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://redis:6379/2',
      ROLE: 'worker',
      WORKER_CONCURRENCY: '16',
      KEY_PREFIX: '{tenant-a}:ras',
      EVENT_TTL_SECONDS: '60',
      JOB_LOCK_MS: '5000',
      MAX_BODY_BYTES: '2048',
      SHUTDOWN_GRACE_MS: '0',
      API_KEYS: ' acme:k_0123456789abcdef, acme:k_fedcba9876543210 ,,bare-key-0123456789',
      ADMIN_KEYS: 'ops:admin-0123456789abcdef',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      REDIS_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'debug',
      MAX_QUEUED_JOBS: '5',
      RATE_LIMIT: '10/1',
      MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
      MAX_STREAMS: '7',
      RECONCILE_INTERVAL_MS: '500',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      redisUrl: 'redis://redis:6379/2',
      redisUrlSet: true,
      role: 'worker',
      workerConcurrency: 16,
      keyPrefix: '{tenant-a}:ras',
      eventTtlSeconds: 60,
      jobLockMs: 5000,
      maxBodyBytes: 2048,
      shutdownGraceMs: 0,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      redisTimeoutMs: 2000,
      logLevel: 'debug',
      maxQueuedJobs: 5,
      rateLimit: { limit: 10, windowSeconds: 1 },
      maxSubscriptionsPerSocket: 3,
      maxStreams: 7,
      reconcileIntervalMs: 500,
    });
    expect(config.apiKeys.map((key) => key.tenant)).toEqual([
      'acme',
      'acme',
      expect.stringMatching(/^key-[0-9a-f]{12}$/),
    ]);
    expect(config.adminKeys.map((key) => key.tenant)).toEqual(['ops']);
  });

  it('loads nothing of NATS without NATS_URL, and its defaults with it', () => {
    expect(loadConfig({ NATS_SUBJECT: 'ignored here' }).nats).toBeUndefined();
    expect(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).nats).toEqual({
      url: 'nats://127.0.0.1:4222',
      subject: 'analyses',
      stream: 'ANALYSES',
    });
    expect(
      loadConfig({ NATS_URL: 'tls://n:4222', NATS_SUBJECT: 'lab.jobs', NATS_STREAM: 'LAB' }).nats,
    ).toEqual({ url: 'tls://n:4222', subject: 'lab.jobs', stream: 'LAB' });
  });

  it.each([
    ['NATS_URL', 'localhost:4222'],
    ['NATS_SUBJECT', 'analyses.*'],
    ['NATS_SUBJECT', 'two..dots'],
    ['NATS_STREAM', 'has.dot'],
  ])('refuses %s=%s (with NATS_URL set) naming the variable', (variable, value) => {
    const attempt = () => loadConfig({ NATS_URL: 'nats://127.0.0.1:4222', [variable]: value });
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('turns the HTTP and process metrics off with METRICS=off', () => {
    expect(loadConfig({ METRICS: 'off' }).metrics).toBe(false);
    expect(loadConfig({ METRICS: 'on' }).metrics).toBe(true);
  });

  it('turns the rate limit off with RATE_LIMIT=0', () => {
    expect(loadConfig({ RATE_LIMIT: '0' }).rateLimit).toBeUndefined();
  });

  it('allows CORS_ORIGINS=* only while auth is off', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(() => loadConfig({ CORS_ORIGINS: '*', API_KEYS: 'acme:k_0123456789abcdef' })).toThrow(
      /^Invalid configuration: CORS_ORIGINS /,
    );
  });

  it('never echoes a refused key', () => {
    const attempt = () => loadConfig({ API_KEYS: 'acme:short-secret' });
    expect(attempt).toThrow(/^Invalid configuration: API_KEYS .*at least 16 characters/);
    expect(attempt).not.toThrow(/short-secret/);
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '3.5'],
    ['ROLE', 'scheduler'],
    ['REDIS_URL', 'localhost:6379'],
    ['WORKER_CONCURRENCY', '0'],
    ['KEY_PREFIX', 'a'.repeat(65)],
    ['KEY_PREFIX', 'no spaces'],
    ['EVENT_TTL_SECONDS', '0'],
    ['JOB_LOCK_MS', '10'],
    ['MAX_BODY_BYTES', 'lots'],
    ['API_KEYS', 'acme:too-short'],
    ['API_KEYS', 'bad tenant:k_0123456789abcdef'],
    ['ADMIN_KEYS', 'short'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://a.example.com/path'],
    ['REDIS_TIMEOUT_MS', '5'],
    ['LOG_LEVEL', 'verbose'],
    ['METRICS', 'false'],
    ['MAX_QUEUED_JOBS', '0'],
    ['RATE_LIMIT', '600'],
    ['RATE_LIMIT', '0/60'],
    ['MAX_SUBSCRIPTIONS_PER_SOCKET', '-1'],
    ['MAX_STREAMS', 'many'],
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
