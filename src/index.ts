/**
 * The public entry for a Nest app that runs analyses: the module, what a
 * pipeline is made of (and the service's own pipelines, to register if
 * wanted), and the Publisher port the runner reports to.
 */
export { AnalysisModule } from './analysis/analysis.module';
export type {
  AnalysisLimits,
  AnalysisModuleExtras,
  AnalysisModuleOptions,
} from './analysis/analysis.options';
export type {
  AnyPipeline,
  Checkpoint,
  InputSchema,
  PipelineDefinition,
  PipelineStep,
  StepContext,
  StepOutcome,
  Wait,
  Work,
  WorkSignal,
} from './core/pipeline.types';
export type {
  AnalysisError,
  AnalysisEvent,
  AnalysisEventDraft,
  AnalysisEventType,
  AnalysisSnapshot,
  AnalysisStatus,
} from './core/analysis.types';
export { InputError } from './core/input-error';
export { demoPipeline } from './core/pipelines/demo.pipeline';
export { statsPipeline } from './core/pipelines/stats.pipeline';
export { PUBLISHER, type Publisher } from './service/publisher.port';
