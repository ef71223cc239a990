import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { PIPELINES } from '../core/pipelines';

/** The registry every layer looks pipelines up in; tests may provide their own. */
export const pipelineRegistryProvider = {
  provide: PipelineRegistry,
  useFactory: () => new PipelineRegistry(PIPELINES),
};
