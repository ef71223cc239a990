import { Controller, type DynamicModule, Get, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { AnalysisModule } from '../../../src/index';
import { wordFrequencyPipeline } from './word-frequency.pipeline';

/** The host's own settings, as it would read them from its own configuration. */
export class LabSettings {
  constructor(
    readonly redisUrl: string,
    readonly keyPrefix = 'lab',
  ) {}
}

@Module({})
class LabSettingsModule {
  static forRoot(settings: LabSettings): DynamicModule {
    return {
      module: LabSettingsModule,
      providers: [{ provide: LabSettings, useValue: settings }],
      exports: [LabSettings],
    };
  }
}

/** A route of the host's own, beside the analysis routes. */
@Controller()
class LabController {
  @Get('hello')
  hello(): { app: string } {
    return { app: 'lab' };
  }
}

/**
 * A separate Nest application that runs analyses: it imports AnalysisModule
 * from the public entry, offers only its own pipeline and mounts the
 * analysis routes under `/lab`.
 */
@Module({})
export class LabModule {
  static forRoot(settings: LabSettings): DynamicModule {
    return {
      module: LabModule,
      imports: [
        AnalysisModule.forRootAsync({
          role: 'all',
          concurrency: 2,
          imports: [LabSettingsModule.forRoot(settings)],
          inject: [LabSettings],
          useFactory: (lab: LabSettings) => ({
            pipelines: [wordFrequencyPipeline],
            redis: lab.redisUrl,
            keyPrefix: lab.keyPrefix,
            limits: { eventTtlSeconds: 3_600, maxQueuedJobs: 1_000 },
          }),
        }),
        RouterModule.register([{ path: 'lab', module: AnalysisModule }]),
      ],
      controllers: [LabController],
    };
  }
}
