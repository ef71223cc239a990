import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { AnalysisError } from '../../core/analysis.types';

@ApiSchema({ name: 'AnalysisError', description: 'Why an attempt or the analysis failed.' })
export class AnalysisErrorDto implements AnalysisError {
  @ApiProperty({ example: 'Step summary failed: out of memory' })
  message!: string;

  @ApiPropertyOptional({
    description:
      '`invalid_input` (not retried), `step_failed`, `worker_shutdown` (runs again elsewhere) or `stalled`.',
    example: 'step_failed',
  })
  code?: string;
}
