import type { INestApplication } from '@nestjs/common';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { NatsConfig } from '../config/app-config';
import { PlainJsonDeserializer, PlainJsonSerializer } from './nats-requests';

/**
 * Starts Nest's NATS transport for the entry's handlers. API processes share
 * the requests through one queue group: each request is answered once.
 */
export async function connectNatsEntry(app: INestApplication, config: NatsConfig): Promise<void> {
  app.connectMicroservice<MicroserviceOptions>(
    {
      transport: Transport.NATS,
      options: {
        servers: [config.url],
        name: 'ras:entry',
        queue: `${config.subject}.api`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        serializer: new PlainJsonSerializer(),
        deserializer: new PlainJsonDeserializer(),
      },
    },
    // The HTTP edge's filters and pipes are not the entry's: it answers errors itself.
    { inheritAppConfig: false },
  );
  await app.startAllMicroservices();
}
