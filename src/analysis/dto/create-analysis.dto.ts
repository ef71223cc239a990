import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsString } from 'class-validator';

@ApiSchema({ name: 'CreateAnalysisRequest' })
export class CreateAnalysisDto {
  /** The rules below, for the valid body: exactly `pipeline` (a non-empty string) and `input` (an object). */
  static isPlainlyValid(body: Record<string, unknown>): boolean {
    let fields = 0;
    for (const field in body) {
      if (field !== 'pipeline' && field !== 'input') return false;
      fields += 1;
    }
    const { pipeline, input } = body;
    return (
      fields === 2 &&
      typeof pipeline === 'string' &&
      pipeline !== '' &&
      typeof input === 'object' &&
      input !== null &&
      !Array.isArray(input)
    );
  }

  @ApiProperty({
    description: 'Name of the pipeline to run (see GET /pipelines).',
    example: 'demo',
  })
  @IsString()
  @IsNotEmpty()
  pipeline!: string;

  @ApiProperty({
    description: "The pipeline's input, checked against its schema from GET /pipelines.",
    type: 'object',
    additionalProperties: true,
    example: { input: { hello: 'world' }, stepMs: 500 },
  })
  @IsObject()
  input!: Record<string, unknown>;
}
