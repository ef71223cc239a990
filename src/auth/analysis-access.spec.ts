import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import { type EventStore, type JobAccess } from '../bus/event-store';
import { loadConfig } from '../config/app-config';
import { newSnapshot } from '../core/snapshot.reducer';
import { AnalysisAccess } from './analysis-access';
import type { Caller } from './caller';

/** The policy alone, over a store that holds one job of tenant `acme`. */
const TOKEN = 'the-job-token-0123456789abcdef';
const access: JobAccess = { tenant: 'acme', token: TOKEN };
const snapshot = { ...newSnapshot('job-1', 'demo', '2026-01-01T00:00:00.000Z'), lastSeq: 1 };
const store = {
  access: (id: string) => Promise.resolve(id === 'job-1' ? { snapshot, access } : undefined),
} as unknown as EventStore;
const policy = new AnalysisAccess(
  store,
  loadConfig({ API_KEYS: 'acme:acme_key_0123456789,umbrella:umbrella_key_0123456789' }),
);

const OWNER: Caller = { tenant: 'acme' };
const OTHER: Caller = { tenant: 'umbrella' };
const WITH_TOKEN: Caller = { token: TOKEN };
const WRONG_TOKEN: Caller = { token: 'not-the-token' };

describe('AnalysisAccess.authorize', () => {
  it.each([
    ['the owner reads', OWNER, 'read', 'allowed'],
    ['the owner cancels', OWNER, 'cancel', 'allowed'],
    ['the token reads', WITH_TOKEN, 'read', 'allowed'],
    ['another tenant with the token reads', { ...OTHER, token: TOKEN }, 'read', 'allowed'],
    ['the token cannot cancel', WITH_TOKEN, 'cancel', 401],
    ['a wrong token', WRONG_TOKEN, 'read', 401],
    ['another tenant', OTHER, 'read', 404],
    ['another tenant cancelling', OTHER, 'cancel', 404],
    ['another tenant with a wrong token', { ...OTHER, token: 'nope' }, 'read', 404],
  ] as const)('%s: %s', async (_name, caller, action, outcome) => {
    const result = policy.authorize('job-1', caller, action).then(
      () => 'allowed',
      (error: unknown) => (error instanceof NotFoundException ? 404 : error),
    );
    const settled = await result;
    if (outcome === 401) expect(settled).toBeInstanceOf(UnauthorizedException);
    else expect(settled).toBe(outcome);
  });

  it('answers an unknown id like another tenant’s job: 404 to a tenant, 401 to a token', async () => {
    await expect(policy.authorize('nope', OWNER, 'read')).rejects.toBeInstanceOf(NotFoundException);
    await expect(policy.authorize('nope', WITH_TOKEN, 'read')).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
  });
});

describe('AnalysisAccess.forSocket', () => {
  it.each([
    ['the owner', OWNER, 'ok'],
    ['the token', WITH_TOKEN, 'ok'],
    ['no credential', {}, 'forbidden'],
    ['a wrong token', WRONG_TOKEN, 'forbidden'],
    ['another tenant', OTHER, 'not_found'],
  ] as const)('%s: %s', async (_name, caller, outcome) => {
    const result = await policy.forSocket('job-1', caller);
    expect(result.ok ? 'ok' : result.code).toBe(outcome);
  });

  it('is not_found for an unknown id', async () => {
    expect(await policy.forSocket('nope', WITH_TOKEN)).toEqual({ ok: false, code: 'not_found' });
  });
});

describe('AnalysisAccess.view', () => {
  it('shows the token to the owner only', () => {
    expect(policy.view({ snapshot, access }, OWNER).token).toBe(TOKEN);
    expect(policy.view({ snapshot, access }, WITH_TOKEN)).not.toHaveProperty('token');
    expect(policy.view({ snapshot, access }, OTHER)).not.toHaveProperty('token');
  });

  it('shows no token while auth is off', () => {
    const open = new AnalysisAccess(store, loadConfig({}));
    expect(open.view({ snapshot, access }, OWNER)).not.toHaveProperty('token');
  });
});
