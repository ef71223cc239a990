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
    });
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
      API_KEYS: ' one, two ,,',
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
      apiKeys: ['one', 'two'],
    });
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
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
