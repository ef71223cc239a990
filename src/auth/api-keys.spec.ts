import { findKey, parseKeyList } from './api-keys';

describe('parseKeyList', () => {
  it('reads tenant:key pairs and gives a bare key a tenant of its own', () => {
    const keys = parseKeyList(
      'acme:k_aaaaaaaaaaaaaaaa, acme:k_bbbbbbbbbbbbbbbb,lonely-key-cccccccc',
    );
    expect(keys.map((key) => key.tenant)).toEqual(['acme', 'acme', expect.stringMatching(/^key-/)]);
    expect(keys[2].tenant).not.toContain('lonely');
  });

  it('splits at the first colon, so a key may contain colons', () => {
    const [key] = parseKeyList('acme:k:with:colons:0123456789');
    expect(key.tenant).toBe('acme');
    expect(findKey([key], 'k:with:colons:0123456789')).toBe(key);
  });
});

describe('findKey', () => {
  const keys = parseKeyList('acme:k_aaaaaaaaaaaaaaaa,globex:k_bbbbbbbbbbbbbbbb');

  it('finds the entry of a presented key', () => {
    expect(findKey(keys, 'k_bbbbbbbbbbbbbbbb')?.tenant).toBe('globex');
  });

  it.each([undefined, '', 'k_aaaaaaaaaaaaaaa', 'k_aaaaaaaaaaaaaaaaa', 'acme:k_aaaaaaaaaaaaaaaa'])(
    'finds nothing for %p',
    (presented) => {
      expect(findKey(keys, presented)).toBeUndefined();
    },
  );
});
