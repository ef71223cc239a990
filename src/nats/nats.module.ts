import { type DynamicModule, Module } from '@nestjs/common';
import type { NatsConfig } from '../config/app-config';
import { EVENT_MIRROR } from '../service/event-mirror.port';
import { JetStreamMirror } from './jetstream-mirror';
import { NATS_CONFIG, natsConnectionProvider } from './nats-connection';
import { natsEntryFor } from './nats-entry.controller';

/**
 * NATS beside REST and Socket.IO, loaded only with NATS_URL: every process
 * mirrors the events it writes to JetStream (the mirror, global, reaches
 * the analysis module's Publisher and use cases); API processes also answer
 * requests on `<NATS_SUBJECT>.start` and `.cancel` (Nest's NATS transport,
 * connected by the app factory).
 */
@Module({})
export class NatsModule {
  static forRoot(config: NatsConfig, { entry }: { entry: boolean }): DynamicModule {
    return {
      module: NatsModule,
      global: true,
      controllers: entry ? [natsEntryFor(config)] : [],
      providers: [
        { provide: NATS_CONFIG, useValue: config },
        natsConnectionProvider,
        JetStreamMirror,
        { provide: EVENT_MIRROR, useExisting: JetStreamMirror },
      ],
      exports: [EVENT_MIRROR],
    };
  }
}
