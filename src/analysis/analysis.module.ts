import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { BullModule, Processor } from '@nestjs/bullmq';
import { type AppConfig, runsApi, runsWorker } from '../config/app-config';
import { AnalysisRunner } from '../service/analysis.runner';
import { pipelineRegistryProvider } from '../service/pipeline-registry.provider';
import { ANALYSIS_QUEUE } from './analysis-job';
import { AnalysisController } from './analysis.controller';
import { AnalysisGateway } from './analysis.gateway';
import { AnalysisProcessor } from './analysis.processor';
import { AnalysisService } from './analysis.service';
import { PipelinesController } from './pipelines.controller';

/**
 * Everything about analyses, assembled for a role: the API (controllers,
 * gateway) where clients connect, the processor where jobs run. The Publisher
 * comes from BusModule.
 */
@Module({})
export class AnalysisModule {
  static forRole(config: AppConfig): DynamicModule {
    const controllers: Type[] = [];
    const providers: Provider[] = [pipelineRegistryProvider];
    if (runsApi(config)) {
      controllers.push(AnalysisController, PipelinesController);
      providers.push(AnalysisService, AnalysisGateway);
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
      imports: [BullModule.registerQueue({ name: ANALYSIS_QUEUE })],
      controllers,
      providers,
    };
  }
}
