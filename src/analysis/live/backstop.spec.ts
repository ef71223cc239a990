import { Backstop } from './backstop';

const QUIET_MS = 1_000;

describe('Backstop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('shares one timer among all backstops, and keeps none once all have stopped', () => {
    const backstops = Array.from({ length: 100 }, () => new Backstop(() => undefined, QUIET_MS));
    expect(jest.getTimerCount()).toBe(1);
    backstops.forEach((backstop) => backstop.stop());
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fires only after a whole quiet period with nothing heard, then again after each further one', () => {
    let fired = 0;
    const backstop = new Backstop(() => (fired += 1), QUIET_MS);
    jest.advanceTimersByTime(QUIET_MS / 2);
    backstop.heard();
    jest.advanceTimersByTime(QUIET_MS - 1);
    expect(fired).toBe(0); // not yet quiet for a whole period
    jest.advanceTimersByTime(QUIET_MS / 10 + 1);
    expect(fired).toBe(1); // within 1.1 × the quiet period
    jest.advanceTimersByTime(1.1 * QUIET_MS);
    expect(fired).toBe(2);
    backstop.stop();
  });

  it('never fires while messages keep coming', () => {
    let fired = 0;
    const backstop = new Backstop(() => (fired += 1), QUIET_MS);
    for (let i = 0; i < 20; i += 1) {
      backstop.heard();
      jest.advanceTimersByTime(QUIET_MS / 4);
    }
    expect(fired).toBe(0);
    backstop.stop();
  });
});
