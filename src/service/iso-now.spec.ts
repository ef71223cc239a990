import { isoNow } from './iso-now';

describe('isoNow', () => {
  afterEach(() => jest.useRealTimers());

  it('is the current time as toISOString writes it, however often it is asked', () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-29T21:29:39.532Z') });
    expect(isoNow()).toBe('2026-11-29T21:29:39.532Z');
    expect(isoNow()).toBe('2026-11-29T21:29:39.532Z');
    jest.advanceTimersByTime(1);
    expect(isoNow()).toBe('2026-11-29T21:29:39.533Z');
    jest.setSystemTime(Date.parse('2027-01-01T00:00:00.000Z'));
    expect(isoNow()).toBe(new Date().toISOString());
  });
});
