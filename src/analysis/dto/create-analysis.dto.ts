import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsString } from 'class-validator';

@ApiSchema({ name: 'CreateAnalysisRequest' })
export class CreateAnalysisDto {
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
