import { SlotPool } from './shard-workers';

describe('SlotPool', () => {
  it('hands out its slots, then makes takers wait for a release, first come first served', async () => {
    const pool = new SlotPool(2);
    await pool.acquire();
    await pool.acquire();
    expect(pool.inUse).toBe(2);
    const order: string[] = [];
    const first = pool.acquire().then(() => order.push('first'));
    const second = pool.acquire().then(() => order.push('second'));
    pool.release();
    await first;
    expect(order).toEqual(['first']);
    expect(pool.inUse).toBe(2);
    pool.release();
    await second;
    expect(order).toEqual(['first', 'second']);
    pool.release();
    pool.release();
    expect(pool.inUse).toBe(0);
  });
});
