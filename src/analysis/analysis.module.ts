import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { BullModule, Processor } from '@nestjs/bullmq';
import { type AppConfig, runsApi, runsWorker } from '../config/app-config';
import { AnalysisRunner } from '../service/analysis.runner';
import type { AnyPipeline } from '../core/pipeline.types';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { ANALYSIS_QUEUE } from './analysis-job';
import { AnalysisController } from './analysis.controller';
import { AnalysisGateway } from './analysis.gateway';
import { AnalysisProcessor } from './analysis.processor';
import { AnalysisStreamController } from './analysis-stream.controller';
import { AnalysisService } from './analysis.service';
import { JobFailures } from './job-failures';
import { JobReconciler } from './job-reconciler';
import { PipelinesController } from './pipelines.controller';
import { QueueAdmission } from './queue-admission';
import { SseStreams } from './stream/sse-streams';

/**
 * Everything about analyses, assembled for a role: the API (controllers,
 * gateway) where clients connect, the processor where jobs run. The Publisher
 * comes from BusModule.
 */
@Module({})
export class AnalysisModule {
  static forRole(config: AppConfig, pipelines: readonly AnyPipeline[]): DynamicModule {
    const controllers: Type[] = [];
    const providers: Provider[] = [
      { provide: PipelineRegistry, useValue: new PipelineRegistry(pipelines) },
      JobReconciler,
      JobFailures,
    ];
    if (runsApi(config)) {
      controllers.push(AnalysisController, AnalysisStreamController, PipelinesController);
      providers.push(AnalysisService, AnalysisGateway, SseStreams, QueueAdmission);
    }
    if (runsWorker(config)) {
      // Worker options come from configuration, known only now: apply the decorator here.
      Processor(ANALYSIS_QUEUE, {
        concurrency: config.workerConcurrency,
        lockDuration: config.jobLockMs,
        stalledInterval: config.jobLockMs,
        maxStalledCount: 2,
        autorun: false,
      })(AnalysisProcessor);
      providers.push(AnalysisRunner, AnalysisProcessor);
    }
    return {
      module: AnalysisModule,
      // BullMQ's event stream (for QueueEvents listeners; the service uses none) is capped by
      // length, not time: a short cap keeps Redis memory flat after the first minutes.
      imports: [
        BullModule.registerQueue({ name: ANALYSIS_QUEUE, streams: { events: { maxLen: 1_000 } } }),
      ],
      controllers,
      providers,
    };
  }
}
