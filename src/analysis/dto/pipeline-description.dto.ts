import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { PipelineDescription } from '../../core/pipelines/pipeline.registry';

@ApiSchema({ name: 'PipelineDescription', description: 'A pipeline this service runs.' })
export class PipelineDescriptionDto implements PipelineDescription {
  @ApiProperty({ example: 'demo' })
  name!: string;

  @ApiProperty({
    example:
      'Two timed steps: step_one waits stepMs and draws a random integer 1..100, step_two waits stepMs and marks the input processed.',
  })
  description!: string;

  @ApiProperty({
    type: [String],
    description: 'Step names, in order.',
    example: ['step_one', 'step_two'],
  })
  steps!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "A JSON-Schema-like description of the pipeline's input.",
    example: {
      type: 'object',
      additionalProperties: false,
      properties: {
        input: {},
        stepMs: { type: 'integer', minimum: 0, maximum: 60000, default: 500 },
      },
    },
  })
  input!: Record<string, unknown>;
}
