import { Injectable } from '@nestjs/common';
import type { AnalysisEventDraft } from '../core/analysis.types';
import type { Publisher } from '../service/publisher.port';
import { EventStore } from './event-store';

/** The runner's Publisher: every event goes through the event store, which numbers, keeps and announces it. */
@Injectable()
export class RedisPublisher implements Publisher {
  constructor(private readonly store: EventStore) {}

  async publish(event: AnalysisEventDraft): Promise<boolean> {
    return (await this.store.append(event)).kind === 'appended';
  }
}
