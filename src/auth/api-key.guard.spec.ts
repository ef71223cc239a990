import { bearerCredential } from './api-key.guard';
import { newJobToken, tokenMatches } from './job-token';

describe('bearerCredential', () => {
  it.each([
    ['Bearer abc_123', 'abc_123'],
    ['bearer abc_123', 'abc_123'],
    ['Bearer   abc_123  ', 'abc_123'],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['Basic YWRtaW46YWRtaW4=', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, credential) => {
    expect(bearerCredential(header)).toBe(credential);
  });
});

describe('job tokens', () => {
  it('are at least 128 random bits in base64url, different every time', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => newJobToken()));
    expect(tokens.size).toBe(1_000);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('match only themselves, and an empty token matches nothing', () => {
    const token = newJobToken();
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token}x`)).toBe(false);
    expect(tokenMatches(token, undefined)).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });
});
