import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { httpLoggerOptions } from './logger';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';

const QUEUE_NAME = Symbol('QUEUE_NAME');

/**
 * Logs, metrics and `GET /metrics`, for every role. Global, so that the
 * places where things happen (service, processor, gateway, streams) can
 * inject Metrics.
 */
@Global()
@Module({})
export class ObservabilityModule implements OnApplicationBootstrap {
  static forRoot(options: {
    queueName: string;
    logger: Logger;
    processMetrics: boolean;
  }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot({ pinoHttp: httpLoggerOptions(options.logger) })],
      controllers: [MetricsController],
      providers: [
        {
          provide: Metrics,
          useFactory: () => new Metrics({ processMetrics: options.processMetrics }),
        },
        { provide: QUEUE_NAME, useValue: options.queueName },
      ],
      exports: [Metrics],
    };
  }

  constructor(
    private readonly metrics: Metrics,
    private readonly moduleRef: ModuleRef,
    @Inject(QUEUE_NAME) private readonly queueName: string,
  ) {}

  /** The queue is the analysis module's own instance: no second connection for the gauges. */
  onApplicationBootstrap(): void {
    const queue = this.moduleRef.get<Queue>(getQueueToken(this.queueName), { strict: false });
    this.metrics.observeQueue(queue);
  }
}
