import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Worker } from 'bullmq';

/** A provider that runs BullMQ workers it created itself (one per queue shard). */
export abstract class RunsBullWorkers {
  abstract readonly workers: readonly Worker[];
}

/**
 * Up while every BullMQ worker of the process runs and is not closing. The
 * workers are found among the providers (WorkerHosts and RunsBullWorkers), so
 * health needs no import of the module that runs jobs.
 */
@Injectable()
export class WorkerHealthIndicator {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Whether this process runs jobs at all (not on an `api` process). */
  hasWorkers(): boolean {
    return this.workers().length > 0;
  }

  check(key = 'worker') {
    const indicator = this.indicators.check(key);
    for (const worker of this.workers()) {
      if (worker.closing) return indicator.down({ message: 'The BullMQ worker is closing' });
      if (!worker.isRunning()) {
        return indicator.down({ message: 'The BullMQ worker is not running' });
      }
    }
    return indicator.up();
  }

  private workers(): Worker[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .flatMap((instance): (Worker | undefined)[] => {
        if (instance instanceof WorkerHost) return [instance.worker];
        if (instance instanceof RunsBullWorkers) return [...instance.workers];
        return [];
      })
      .filter((worker): worker is Worker => worker !== undefined);
  }
}
