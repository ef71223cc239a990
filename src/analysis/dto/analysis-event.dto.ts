import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ANALYSIS_STATUSES,
  type AnalysisEvent,
  type AnalysisEventType,
  type AnalysisStatus,
} from '../../core/analysis.types';
import { AnalysisErrorDto } from './analysis-error.dto';

/** Every event type, checked complete against the domain's union. */
const EVENT_TYPES = Object.keys({
  queued: true,
  started: true,
  progress: true,
  retrying: true,
  completed: true,
  failed: true,
  cancelled: true,
} satisfies Record<AnalysisEventType, true>);

@ApiSchema({
  name: 'AnalysisEvent',
  description:
    'One change of an analysis. `seq` starts at 1 and has no gaps; exactly one terminal event (completed, failed, cancelled) ends the sequence. The same object is the Socket.IO `analysis.event` payload and the SSE `data`.',
})
export class AnalysisEventDto implements AnalysisEvent {
  @ApiProperty({
    description: "The analysis's id.",
    example: '3f0c9a52-5f7e-4a8e-9b0e-1c2d3e4f5a6b',
  })
  id!: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 3 })
  seq!: number;

  @ApiProperty({ enum: EVENT_TYPES, enumName: 'AnalysisEventType', example: 'progress' })
  type!: AnalysisEventType;

  @ApiProperty({ enum: ANALYSIS_STATUSES, enumName: 'AnalysisStatus', example: 'running' })
  status!: AnalysisStatus;

  @ApiProperty({
    minimum: 0,
    maximum: 100,
    description: 'Never decreases within one attempt.',
    example: 50,
  })
  progress!: number;

  @ApiProperty({ type: String, nullable: true, example: 'step_one' })
  step!: string | null;

  @ApiProperty({ type: 'integer', minimum: 0, example: 1 })
  attempt!: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "`progress` at the end of a step: the step's intermediate result; `completed`: the final result. Any JSON value.",
    example: { step_one_result: 42 },
  })
  data?: unknown;

  @ApiPropertyOptional({ type: AnalysisErrorDto, description: 'On `retrying` and `failed`.' })
  error?: AnalysisErrorDto;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T00:00:00.620Z' })
  at!: string;
}
