import type { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Worker } from 'bullmq';
import { RunsBullWorkers, WorkerHealthIndicator } from './worker.health';

/** A processor whose BullMQ worker is in the given state. */
class FakeProcessor extends WorkerHost {
  constructor(private readonly state: { running: boolean; closing?: Promise<void> }) {
    super();
  }
  override get worker(): Worker {
    return { isRunning: () => this.state.running, closing: this.state.closing } as Worker;
  }
  async process(): Promise<void> {}
}

function indicatorFor(...instances: unknown[]): WorkerHealthIndicator {
  const discovery = {
    getProviders: () => instances.map((instance) => ({ instance })),
  } as unknown as DiscoveryService;
  return new WorkerHealthIndicator(discovery, new HealthIndicatorService());
}

describe('WorkerHealthIndicator', () => {
  it('is up while the worker runs', () => {
    const indicator = indicatorFor({ other: true }, new FakeProcessor({ running: true }));
    expect(indicator.hasWorkers()).toBe(true);
    expect(indicator.check()).toEqual({ worker: { status: 'up' } });
  });

  it('is down, saying why, while the worker is not running or is closing', () => {
    expect(indicatorFor(new FakeProcessor({ running: false })).check()).toEqual({
      worker: { status: 'down', message: 'The BullMQ worker is not running' },
    });
    const closing = new FakeProcessor({ running: true, closing: Promise.resolve() });
    expect(indicatorFor(closing).check()).toEqual({
      worker: { status: 'down', message: 'The BullMQ worker is closing' },
    });
  });

  it('checks every worker of a provider that runs one per queue shard', () => {
    class ShardProcessor extends RunsBullWorkers {
      constructor(readonly workers: Worker[]) {
        super();
      }
    }
    const worker = (running: boolean) => ({ isRunning: () => running }) as Worker;
    expect(indicatorFor(new ShardProcessor([worker(true), worker(true)])).check()).toEqual({
      worker: { status: 'up' },
    });
    expect(indicatorFor(new ShardProcessor([worker(true), worker(false)])).check()).toEqual({
      worker: { status: 'down', message: 'The BullMQ worker is not running' },
    });
  });

  it('finds no worker on a process that does not run jobs', () => {
    expect(indicatorFor({ other: true }).hasWorkers()).toBe(false);
  });
});
