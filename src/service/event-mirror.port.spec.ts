import type { AnalysisEventDraft } from '../core/analysis.types';
import { MirroredPublisher } from './event-mirror.port';
import type { Publisher } from './publisher.port';

const draft: AnalysisEventDraft = {
  id: 'job-1',
  type: 'progress',
  status: 'running',
  progress: 50,
  step: 'one',
  attempt: 1,
  at: '2026-01-01T00:00:00.000Z',
};

function compose(answer: () => Promise<boolean>) {
  const order: string[] = [];
  const store: Publisher = {
    publish: async () => {
      order.push('store');
      return answer();
    },
  };
  const mirror = { catchUp: jest.fn(() => void order.push('mirror')) };
  return { publisher: new MirroredPublisher(store, mirror), mirror, order };
}

describe('MirroredPublisher', () => {
  it("answers the store's verdict and has the mirror catch up after the store", async () => {
    const { publisher, mirror, order } = compose(async () => true);
    await expect(publisher.publish(draft)).resolves.toBe(true);
    expect(order).toEqual(['store', 'mirror']);
    expect(mirror.catchUp).toHaveBeenCalledWith('job-1');
  });

  it('has the mirror catch up on a refusal too: the job ended elsewhere, its end must be copied', async () => {
    const { publisher, mirror } = compose(async () => false);
    await expect(publisher.publish(draft)).resolves.toBe(false);
    expect(mirror.catchUp).toHaveBeenCalledWith('job-1');
  });

  it("passes the store's failure on unchanged", async () => {
    const failure = new Error('redis down');
    const { publisher } = compose(() => Promise.reject(failure));
    await expect(publisher.publish(draft)).rejects.toBe(failure);
  });
});
