import { parseKeyList } from '../auth/api-keys';
import { isAdmin } from './admin-access';

const keys = parseKeyList('ops:admin-key-0123456789,admin-bare-key-0123456789');
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('admin access to the queue dashboard', () => {
  it('accepts an admin key as Bearer or as HTTP Basic password under its tenant', () => {
    expect(isAdmin(keys, 'Bearer admin-key-0123456789')).toBe(true);
    expect(isAdmin(keys, 'bearer admin-bare-key-0123456789')).toBe(true);
    expect(isAdmin(keys, basic('ops', 'admin-key-0123456789'))).toBe(true);
    expect(isAdmin(keys, basic('', 'admin-key-0123456789'))).toBe(true);
  });

  it('refuses no header, a wrong key, a key under another tenant and malformed credentials', () => {
    expect(isAdmin(keys, undefined)).toBe(false);
    expect(isAdmin(keys, 'Bearer wrong-key-0123456789')).toBe(false);
    expect(isAdmin(keys, basic('acme', 'admin-key-0123456789'))).toBe(false);
    expect(isAdmin(keys, 'Basic !!!')).toBe(false);
    expect(isAdmin(keys, 'Token admin-key-0123456789')).toBe(false);
    expect(isAdmin([], 'Bearer admin-key-0123456789')).toBe(false);
  });
});
