import { Logger, type Provider } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import type { NatsConfig } from '../config/app-config';

/** The process's connection for JetStream (the request entry has its own, Nest's transport's). */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const NATS_CONFIG = Symbol('NATS_CONFIG');

const logger = new Logger('Nats');

/** Connects once (failing start-up with a clear message), then reconnects for ever. */
export async function connectNats(config: NatsConfig, name: string): Promise<NatsConnection> {
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: config.url,
      name,
      timeout: 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
  } catch (error) {
    throw new Error(`NATS_URL: cannot connect to NATS (${(error as Error).message})`);
  }
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') logger.warn({ msg: 'nats connection lost; retrying' });
      if (status.type === 'reconnect') logger.log({ msg: 'nats connection back' });
    }
  })();
  return connection;
}

export const natsConnectionProvider: Provider = {
  provide: NATS_CONNECTION,
  inject: [NATS_CONFIG],
  useFactory: (config: NatsConfig) => connectNats(config, 'ras:jetstream'),
};
