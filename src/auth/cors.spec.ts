import { originAllowed, restCors } from './cors';

describe('originAllowed (the gateway handshake)', () => {
  it('lets clients without an Origin through: servers and the CLI send none', () => {
    expect(originAllowed(undefined, 'api.example:3000', [])).toBe(true);
  });

  it('allows the same origin and the listed ones, nothing else', () => {
    const listed = ['https://app.example'];
    expect(originAllowed('http://api.example:3000', 'api.example:3000', [])).toBe(true);
    expect(originAllowed('https://app.example', 'api.example:3000', listed)).toBe(true);
    expect(originAllowed('https://evil.example', 'api.example:3000', listed)).toBe(false);
    expect(originAllowed('null', 'api.example:3000', listed)).toBe(false);
  });

  it('allows any origin for "*"', () => {
    expect(originAllowed('https://evil.example', 'api.example:3000', ['*'])).toBe(true);
  });
});

describe('restCors', () => {
  it('is off for an empty list, and lists exactly the origins given', () => {
    expect(restCors([])).toBeUndefined();
    expect(restCors(['https://app.example'])?.origin).toEqual(['https://app.example']);
    expect(restCors(['*'])?.origin).toBe('*');
  });
});
