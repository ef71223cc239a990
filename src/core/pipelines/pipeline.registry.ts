import type { AnyPipeline, InputSchema } from '../pipeline.types';

export interface PipelineDescription {
  name: string;
  description: string;
  steps: string[];
  input: InputSchema;
}

/** Looks pipelines up by name; refuses two pipelines of one name. */
export class PipelineRegistry {
  private readonly byName = new Map<string, AnyPipeline>();

  constructor(pipelines: readonly AnyPipeline[]) {
    for (const pipeline of pipelines) {
      if (this.byName.has(pipeline.name)) {
        throw new Error(`Two pipelines are named "${pipeline.name}"`);
      }
      this.byName.set(pipeline.name, pipeline);
    }
  }

  get(name: string): AnyPipeline | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  describe(): PipelineDescription[] {
    return [...this.byName.values()].map((pipeline) => ({
      name: pipeline.name,
      description: pipeline.description,
      steps: pipeline.steps.map((step) => step.name),
      input: pipeline.input,
    }));
  }
}
