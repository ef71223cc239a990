import { AnalysisClient, ApiError, SubscribeError } from '../../src/client/analysis-client';
import { collect } from '../support/collect';
import { runCli } from '../support/cli-process';
import { useService } from '../support/service-fixture';

/** The typed client and the CLI speak keys and job tokens. */
const KEY = 'client_auth_key_0123456789';
const OTHER = 'client_other_key_0123456789';
const fixture = useService({ API_KEYS: `acme:${KEY},umbrella:${OTHER}` });
const clients: AnalysisClient[] = [];

afterAll(() => clients.forEach((client) => client.close()));

function newClient(credentials?: { key?: string; token?: string }): AnalysisClient {
  const client = new AnalysisClient(fixture.service.url, credentials);
  clients.push(client);
  return client;
}

describe('AnalysisClient with credentials', () => {
  it('starts and watches with a key, and gets the job token', async () => {
    const client = newClient({ key: KEY });
    const started = await client.start({ pipeline: 'demo', input: { stepMs: 0 } });
    expect(started.token).toEqual(expect.any(String));
    const events = await collect(client.watch(started.id));
    expect(events.at(-1)?.type).toBe('completed');
    expect((await client.list()).map((snapshot) => snapshot.id)).toContain(started.id);
  });

  it('reads and watches one job with its token alone', async () => {
    const owner = newClient({ key: KEY });
    const { id, token } = await owner.start({ pipeline: 'demo', input: { stepMs: 50 } });
    const reader = newClient({ token });
    expect((await reader.get(id)).id).toBe(id);
    expect((await collect(reader.watch(id))).at(-1)?.type).toBe('completed');
    expect((await reader.events(id)).length).toBe(5);
    // A token per call works for a client that holds another tenant's key.
    const other = newClient({ key: OTHER });
    expect((await other.get(id, token)).id).toBe(id);
    await expect(other.get(id)).rejects.toMatchObject({ status: 404 });
  });

  it('reports 401 without credentials, and forbidden when watching without a token', async () => {
    const owner = newClient({ key: KEY });
    const { id } = await owner.start({ pipeline: 'demo', input: { stepMs: 0 } });
    const anonymous = newClient();
    const refused = await anonymous.list().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 401 });
    const watching = await collect(anonymous.watch(id)).catch((error: unknown) => error);
    expect(watching).toBeInstanceOf(SubscribeError);
    expect(watching).toMatchObject({ code: 'forbidden' });
  });

  it('uses new credentials once set', async () => {
    const client = newClient();
    await expect(client.list()).rejects.toMatchObject({ status: 401 });
    client.setCredentials({ key: KEY });
    expect(Array.isArray(await client.list())).toBe(true);
  });
});

describe('cli watch with a key', () => {
  it('takes the key from RAS_API_KEY or --key, and a token from --token', async () => {
    const owner = newClient({ key: KEY });
    const { id, token } = await owner.start({ pipeline: 'demo', input: { stepMs: 0 } });
    const url = fixture.service.url;
    const byEnv = await runCli(['watch', id, '--url', url], { RAS_API_KEY: KEY });
    expect(byEnv.code).toBe(0);
    expect(byEnv.stdout.trim().split('\n')).toHaveLength(5);
    expect((await runCli(['watch', id, '--url', url, '--key', KEY])).code).toBe(0);
    expect((await runCli(['watch', id, '--url', url, '--token', token ?? ''])).code).toBe(0);
    const without = await runCli(['watch', id, '--url', url], { RAS_API_KEY: '' });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/401|API key/);
    expect(without.stderr).not.toContain(KEY);
  });
});
