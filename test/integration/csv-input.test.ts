import Redis, { Cluster } from 'ioredis';
import { type HttpAnswer, request } from '../support/http';
import { clusterSeedsOf } from '../support/redis-cluster';
import { useService } from '../support/service-fixture';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

const MAX_BODY_BYTES = 400_000;
const fixture = useService({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) });

function csvRequest(method: string, path: string, body: string | Buffer, type = 'text/csv') {
  return fetch(`${fixture.service.url}${path}`, {
    method,
    headers: { 'content-type': type },
    body,
  }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  }));
}

function expectError(answer: { status: number; body: unknown }, status: number, message: RegExp) {
  const body = answer.body as ErrorBody;
  expect(answer.status).toBe(status);
  expect(body.statusCode).toBe(status);
  expect(typeof body.error).toBe('string');
  expect([body.message].flat().some((text) => message.test(text))).toBe(true);
}

/** Rows of `a,b` values, deterministic: `rows` × 2 cells, over 64 KiB from ~5 000 rows on. */
function dataset(rows: number, lineEnd = '\n'): string {
  let text = `a,b${lineEnd}`;
  for (let row = 0; row < rows; row++) text += `${row % 97}.5,${(row * 7) % 13}${lineEnd}`;
  return text;
}

async function finished(id: string) {
  const client = await fixture.client();
  await client.subscribe({ id });
  return client.finished(id, 60_000);
}

/** A client of the suite's Redis, or of its cluster when the suite runs on one. */
function connect(): Redis | Cluster {
  const seeds = clusterSeedsOf(fixture.redis.url);
  if (!seeds) return new Redis(fixture.redis.url);
  return new Cluster(
    seeds
      .split(',')
      .map((seed) => ({ host: seed.split(':')[0], port: Number(seed.split(':')[1]) })),
  );
}

async function keysMatching(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  return (await Promise.all(nodes.map((node) => node.keys(pattern)))).flat();
}

function inputKeys(redis: Redis | Cluster): Promise<string[]> {
  return keysMatching(redis, `${fixture.service.config.keyPrefix}:job:*:input`);
}

describe('text/csv bodies', () => {
  let redis: Redis | Cluster;
  beforeAll(() => {
    redis = connect();
  });
  afterAll(() => redis.quit());

  it('are the same job as { pipeline: "stats", input: { csv, bins } }, stored beside the job and removed once it ends', async () => {
    const csv = dataset(20_000);
    const posted = await csvRequest('POST', '/analyses?pipeline=stats&bins=7', csv);
    expect(posted.status).toBe(202);
    const viaJson = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'stats',
      input: { csv, bins: 7 },
    });
    const [fromCsv, fromJson] = await Promise.all([
      finished(posted.body.id as string),
      finished(viaJson.body.id as string),
    ]);
    expect(fromCsv.at(-1)?.type).toBe('completed');
    expect(fromCsv.at(-1)?.data).toEqual(fromJson.at(-1)?.data);
    expect((fromCsv.at(-1)?.data as { rows: number }).rows).toBe(20_000);
    expect(await inputKeys(redis)).toEqual([]);
  });

  it('read CRLF line ends and quoted fields holding commas and line ends', async () => {
    const csv = 'x,"note, with comma"\r\n1,"two\r\nlines"\r\n2,"a ""quoted"" word"\r\n';
    const posted = await csvRequest('POST', '/analyses?pipeline=stats', csv);
    expect(posted.status).toBe(202);
    const result = (await finished(posted.body.id as string)).at(-1)?.data as {
      rows: number;
      nonNumeric: string[];
      columns: Record<string, { mean: number }>;
    };
    expect(result.rows).toBe(2);
    expect(result.nonNumeric).toEqual(['note, with comma']);
    expect(result.columns.x.mean).toBe(1.5);
  });

  it('make PUT idempotent on the same CSV and a conflict on another', async () => {
    const path = '/analyses/csv-put-1?pipeline=stats&bins=3';
    const first = await csvRequest('PUT', path, 'a\n1\n2\n');
    const again = await csvRequest('PUT', path, 'a\n1\n2\n');
    const other = await csvRequest('PUT', path, 'a\n1\n3\n');
    expect([first.status, again.status, other.status]).toEqual([202, 200, 409]);
  });

  const refusals: [string, () => Promise<{ status: number; body: unknown }>, number, RegExp][] = [
    [
      'a ragged row, naming its line',
      () => csvRequest('POST', '/analyses?pipeline=stats', 'a,b\n1,2\n3\n4,5\n'),
      400,
      /line 3 has 1 cell but the header has 2/,
    ],
    [
      'an unknown pipeline, listing the valid ones',
      () => csvRequest('POST', '/analyses?pipeline=nope', 'a\n1\n'),
      400,
      /Unknown pipeline "nope".*stats/,
    ],
    ['a missing pipeline', () => csvRequest('POST', '/analyses', 'a\n1\n'), 400, /pipeline/],
    [
      'bad bins',
      () => csvRequest('POST', '/analyses?pipeline=stats&bins=0', 'a\n1\n'),
      400,
      /input\.bins/,
    ],
    [
      'bins that are not a number',
      () => csvRequest('POST', '/analyses?pipeline=stats&bins=many', 'a\n1\n'),
      400,
      /input\.bins/,
    ],
    [
      'invalid UTF-8',
      () => csvRequest('POST', '/analyses?pipeline=stats', Buffer.from([0x61, 0x0a, 0xff, 0xfe])),
      400,
      /not valid UTF-8/,
    ],
    [
      'a body over MAX_BODY_BYTES',
      () => csvRequest('POST', '/analyses?pipeline=stats', dataset(60_000)),
      413,
      /MAX_BODY_BYTES/,
    ],
    [
      'one huge line over MAX_BODY_BYTES',
      () => csvRequest('POST', '/analyses?pipeline=stats', `a${',1'.repeat(MAX_BODY_BYTES)}`),
      413,
      /MAX_BODY_BYTES/,
    ],
    [
      'a content type the service does not read',
      () => csvRequest('POST', '/analyses?pipeline=stats', 'a\n1\n', 'text/tab-separated-values'),
      415,
      /./,
    ],
  ];

  it.each(refusals)('refuse %s and store nothing', async (_, send, status, message) => {
    const before = (await request(fixture.service.url, 'GET', '/analyses?limit=200')).body.length;
    expectError(await send(), status, message);
    const after = (await request(fixture.service.url, 'GET', '/analyses?limit=200')).body.length;
    expect(after).toBe(before);
  });
});

describe('a large input stored beside its job', () => {
  let redis: Redis | Cluster;
  beforeAll(() => {
    redis = connect();
  });
  afterAll(() => redis.quit());

  it('carries the job TTL while the job waits, stays out of the BullMQ payload, and goes when the job is cancelled', async () => {
    const input = { input: 'x'.repeat(100_000), stepMs: 60_000 };
    const created: HttpAnswer<{ id: string }> = await request(
      fixture.service.url,
      'POST',
      '/analyses',
      { pipeline: 'demo', input },
    );
    expect(created.status).toBe(202);
    const { id } = created.body;
    const key = `${fixture.service.config.keyPrefix}:job:{${id}}:input`;
    expect(await redis.exists(key)).toBe(1);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(fixture.service.config.eventTtlSeconds);
    const payloads = await Promise.all(
      (await keysMatching(redis, `${fixture.service.config.keyPrefix}:*a-${id}`)).map((bullKey) =>
        redis.type(bullKey).then((type) => (type === 'hash' ? redis.hget(bullKey, 'data') : null)),
      ),
    );
    const data = payloads.find((payload) => payload !== null);
    expect(data && JSON.parse(data)).toMatchObject({ id, input: null, storedInput: true });

    const cancelled = await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
    expect(cancelled.status).toBe(202);
    expect(await redis.exists(key)).toBe(0);
  });

  it('reaches the worker whole: a large demo input comes back in its result', async () => {
    const input = { input: { text: 'é'.repeat(70_000), list: [1, null, 'two'] }, stepMs: 0 };
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input,
    });
    const events = await finished(created.body.id as string);
    expect((events.at(-1)?.data as { input: unknown }).input).toEqual(input.input);
    expect(await inputKeys(redis)).toEqual([]);
  });
});
