import { Writable } from 'node:stream';
import { createRootLogger, redactUrl, requestId } from './logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('root logger', () => {
  it('writes JSON lines with the level by name, at LOG_LEVEL and above', () => {
    const out = capture();
    const logger = createRootLogger('warn', { pretty: false, destination: out.stream });
    logger.info('hidden');
    logger.warn({ jobId: 'j1' }, 'shown');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'shown', jobId: 'j1' }),
    ]);
  });

  it('never writes keys, tokens, the Authorization header or job inputs', () => {
    const out = capture();
    const logger = createRootLogger('info', { pretty: false, destination: out.stream });
    logger.info({
      req: { headers: { authorization: 'Bearer k_secret_secret_1', cookie: 'c=secret' } },
      key: 'k_secret_secret_2',
      token: 'secret-token',
      job: { input: { secret: 'data' }, token: 'secret-token-2' },
      msg: 'request',
    });
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toMatch(/secret/);
    expect(line).toMatchObject({ key: '[redacted]', job: { input: '[redacted]' } });
  });

  it('redacts copies: the objects a log call passes keep their values', () => {
    const out = capture();
    const logger = createRootLogger('info', { pretty: false, destination: out.stream });
    const headers = { 'x-api-key': 'k_secret_secret_3', accept: 'text/plain' };
    const job = { id: 'j1', token: 'secret-token' };
    logger.info({ req: { id: 'r1', headers }, job, jobId: 'j1' }, 'passed on');
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toMatch(/secret/);
    expect(line).toMatchObject({
      req: { id: 'r1', headers: { 'x-api-key': '[redacted]', accept: 'text/plain' } },
      job: { id: 'j1', token: '[redacted]' },
      jobId: 'j1',
    });
    expect(headers['x-api-key']).toBe('k_secret_secret_3');
    expect(job.token).toBe('secret-token');
  });
});

describe('request ids and URLs', () => {
  it('keeps a plain X-Request-Id and replaces anything else with a fresh UUID', () => {
    expect(requestId({ headers: { 'x-request-id': 'abc-123.x:y_z' } })).toBe('abc-123.x:y_z');
    for (const bad of ['has space', 'x'.repeat(129), '<script>', '']) {
      expect(requestId({ headers: { 'x-request-id': bad } })).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(requestId({ headers: {} })).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cuts credentials out of a query string', () => {
    expect(redactUrl('/analyses/a/stream?after=2&token=abc.def&x=1')).toBe(
      '/analyses/a/stream?after=2&token=[redacted]&x=1',
    );
    expect(redactUrl('/x?key=k1')).toBe('/x?key=[redacted]');
    expect(redactUrl('/analyses?limit=5')).toBe('/analyses?limit=5');
  });
});
