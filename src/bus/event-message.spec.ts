import { eventsOfMessage } from './event-message';

describe('eventsOfMessage', () => {
  const event = (seq: number) => ({ id: 'job-1', seq, type: 'progress', status: 'running' });

  it('reads one event', () => {
    expect(eventsOfMessage(JSON.stringify(event(2)))).toEqual([event(2)]);
  });

  it('reads the events of one write, in order', () => {
    const written = [event(2), event(3), event(4)];
    expect(eventsOfMessage(JSON.stringify(written))).toEqual(written);
  });
});
