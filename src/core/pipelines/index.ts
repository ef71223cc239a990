import type { AnyPipeline } from '../pipeline.types';
import { demoPipeline } from './demo.pipeline';
import { statsPipeline } from './stats.pipeline';

/** Every pipeline the service offers. Adding one: write its file, add it here. */
export const PIPELINES: readonly AnyPipeline[] = [demoPipeline, statsPipeline];
