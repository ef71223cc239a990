import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type Provider,
  type Type,
} from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { AnalysisAccess } from '../auth/analysis-access';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { busExports, busProviders } from '../bus/bus.providers';
import { bullConnection, bullPrefix } from '../bus/redis-connection';
import { APP_CONFIG, type AppConfig, DEFAULT_REDIS_URL, loadConfig } from '../config/app-config';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { MAX_BODY_BYTES } from '../http/http-error.filter';
import { Metrics } from '../observability/metrics';
import { onceInAWhile } from '../observability/repeat-filter';
import { AnalysisRunner } from '../service/analysis.runner';
import { ANALYSIS_QUEUE_REF, type AnalysisJobData } from './analysis-job';
import {
  ANALYSIS_OPTIONS,
  type AnalysisModuleExtras,
  type AnalysisModuleOptions,
  type ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  DEFAULT_EXTRAS,
  type OPTIONS_TYPE,
} from './analysis.options';
import { AnalysisController } from './analysis.controller';
import { AnalysisGateway } from './analysis.gateway';
import { processorFor } from './analysis.processor';
import { AnalysisStreamController } from './analysis-stream.controller';
import { AnalysisService } from './analysis.service';
import { JobFailures } from './job-failures';
import { JobReconciler } from './job-reconciler';
import { PipelinesController } from './pipelines.controller';
import { QueueAdmission } from './queue-admission';
import { ANALYSIS_QUEUE_SHARDS, QueueShards, shardNames } from './queue-shards';
import { SseStreams } from './stream/sse-streams';

/** The module's settings (APP_CONFIG inside it), made once: BullMQ's connection is closed by them. */
const MODULE_SETTINGS = Symbol('ANALYSIS_MODULE_SETTINGS');

type RedisSettings = Pick<AppConfig, 'redisUrl' | 'redisClusterNodes' | 'redisOptions'>;

function redisSettings(redis: AnalysisModuleOptions['redis']): RedisSettings {
  if (typeof redis === 'string') return { redisUrl: redis, redisClusterNodes: [] };
  if ('clusterNodes' in redis) {
    return { redisUrl: DEFAULT_REDIS_URL, redisClusterNodes: redis.clusterNodes };
  }
  return { redisUrl: DEFAULT_REDIS_URL, redisClusterNodes: [], redisOptions: redis };
}

/** The service's defaults, with the options a host gave laid over them (APP_CONFIG inside the module). */
function settingsOf(options: AnalysisModuleOptions, extras: AnalysisModuleExtras): AppConfig {
  return {
    ...loadConfig({}),
    ...options.limits,
    ...redisSettings(options.redis),
    role: extras.role,
    workerConcurrency: extras.concurrency,
    jobLockMs: extras.jobLockMs,
    keyPrefix: options.keyPrefix ?? 'ras',
  };
}

/** The queue's gauges (summed over its shards) join the module's metrics once everything is up. */
@Injectable()
class QueueGauges implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    @Inject(ANALYSIS_QUEUE_SHARDS) private readonly shards: QueueShards,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.observeQueue(...this.shards.all);
  }
}

/**
 * Everything about analyses, for a Nest app to import: the API (REST
 * controllers, the Socket.IO gateway) where clients connect, the processor
 * where jobs run, and the Redis bus between them. It brings its own Redis
 * connections, queue, metrics and edge filter and pipes (scoped to its own
 * controllers), so a host needs nothing of this project's configuration.
 *
 *     AnalysisModule.forRootAsync({ role: 'all', useFactory: () => ({ pipelines, redis }) })
 */
@Module({})
export class AnalysisModule extends ConfigurableModuleClass {
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return assemble(super.forRoot(options), options);
  }

  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return assemble(super.forRootAsync(options), options);
  }
}

const queueLogger = new Logger('AnalysisQueue');

function assemble(base: DynamicModule, given: Partial<AnalysisModuleExtras>): DynamicModule {
  const extras: AnalysisModuleExtras = {
    role: given.role ?? DEFAULT_EXTRAS.role,
    queueName: given.queueName ?? DEFAULT_EXTRAS.queueName,
    queueShards: given.queueShards ?? DEFAULT_EXTRAS.queueShards,
    concurrency: given.concurrency ?? DEFAULT_EXTRAS.concurrency,
    jobLockMs: given.jobLockMs ?? DEFAULT_EXTRAS.jobLockMs,
    isGlobal: given.isGlobal ?? DEFAULT_EXTRAS.isGlobal,
  };
  const runsApi = extras.role !== 'worker';
  const runsWorker = extras.role !== 'api';
  // The options provider (and whatever the factory imports) live in an inner module, so that
  // BullMQ's queue, registered in a module of its own, can be given the connection too.
  const optionsModule: DynamicModule = {
    module: class AnalysisOptionsModule {},
    imports: base.imports ?? [],
    providers: [
      ...(base.providers ?? []),
      {
        provide: MODULE_SETTINGS,
        inject: [ANALYSIS_OPTIONS],
        useFactory: (options: AnalysisModuleOptions) => settingsOf(options, extras),
      },
    ],
    exports: [ANALYSIS_OPTIONS, MODULE_SETTINGS],
  };
  const names = shardNames(extras.queueName, extras.queueShards);
  const queue = BullModule.registerQueueAsync(
    ...names.map((name) => ({
      name,
      imports: [optionsModule],
      inject: [MODULE_SETTINGS],
      useFactory: (settings: AppConfig) => ({
        // One Redis: options, BullMQ connects itself; a cluster: one shared Cluster connection.
        connection: bullConnection(settings),
        prefix: bullPrefix(settings, name),
        // BullMQ's event stream (for QueueEvents listeners; the service uses none) is capped by
        // length, not time: a short cap keeps Redis memory flat after the first minutes.
        streams: { events: { maxLen: 1_000 } },
      }),
    })),
  );
  const controllers: Type[] = [];
  const providers: Provider[] = [
    { provide: APP_CONFIG, useExisting: MODULE_SETTINGS },
    {
      provide: PipelineRegistry,
      inject: [ANALYSIS_OPTIONS],
      useFactory: (options: AnalysisModuleOptions) => new PipelineRegistry(options.pipelines),
    },
    {
      provide: Metrics,
      inject: [ANALYSIS_OPTIONS],
      useFactory: (options: AnalysisModuleOptions) =>
        new Metrics({ processMetrics: options.processMetrics ?? false }),
    },
    {
      provide: MAX_BODY_BYTES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => config.maxBodyBytes,
    },
    { provide: ANALYSIS_QUEUE_REF, useExisting: getQueueToken(names[0]) },
    {
      provide: ANALYSIS_QUEUE_SHARDS,
      inject: names.map((name) => getQueueToken(name)),
      useFactory: (...queues: Queue<AnalysisJobData>[]) => {
        // A queue's connection reports errors as events (one closed before it was ready, at
        // shutdown, for one): unheard, an EventEmitter 'error' would end the process.
        for (const queue of queues) {
          queue.on(
            'error',
            onceInAWhile((error, repeats) =>
              queueLogger.warn({
                msg: 'queue connection error',
                queue: queue.name,
                error,
                repeats,
              }),
            ),
          );
        }
        return new QueueShards(queues);
      },
    },
    ...busProviders,
    QueueGauges,
    JobReconciler,
    JobFailures,
  ];
  if (runsApi) {
    controllers.push(AnalysisController, AnalysisStreamController, PipelinesController);
    providers.push(
      AnalysisService,
      AnalysisGateway,
      SseStreams,
      QueueAdmission,
      AnalysisAccess,
      ApiKeyGuard,
    );
  }
  if (runsWorker) providers.push(AnalysisRunner, ...processorFor(extras));
  return {
    module: AnalysisModule,
    global: extras.isGlobal,
    imports: [optionsModule, queue],
    controllers,
    providers,
    exports: [
      queue,
      ANALYSIS_QUEUE_REF,
      ANALYSIS_QUEUE_SHARDS,
      Metrics,
      PipelineRegistry,
      ...busExports,
      // The use cases, for other entries (NATS) to offer.
      ...(runsApi ? [AnalysisService] : []),
    ],
  };
}
