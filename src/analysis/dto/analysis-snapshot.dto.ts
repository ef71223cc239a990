import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  ANALYSIS_STATUSES,
  type AnalysisSnapshot,
  type AnalysisStatus,
} from '../../core/analysis.types';
import { AnalysisErrorDto } from './analysis-error.dto';
import { DemoResultDto, StatsResultDto } from './stats-result.dto';

@ApiSchema({ name: 'AnalysisSnapshot', description: 'The current state of an analysis.' })
@ApiExtraModels(StatsResultDto, DemoResultDto)
export class AnalysisSnapshotDto implements AnalysisSnapshot {
  @ApiProperty({
    pattern: '^[A-Za-z0-9_-]{1,128}$',
    example: '3f0c9a52-5f7e-4a8e-9b0e-1c2d3e4f5a6b',
  })
  id!: string;

  @ApiProperty({ example: 'stats' })
  pipeline!: string;

  @ApiProperty({ enum: ANALYSIS_STATUSES, enumName: 'AnalysisStatus', example: 'running' })
  status!: AnalysisStatus;

  @ApiProperty({ minimum: 0, maximum: 100, description: '100 once completed.', example: 40 })
  progress!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The current or last step.',
    example: 'summary',
  })
  step!: string | null;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: '0 until the first attempt starts, then the running or last attempt.',
    example: 1,
  })
  attempt!: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-01-01T00:00:00.120Z',
  })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  finishedAt!: string | null;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'The seq of its latest event.',
    example: 4,
  })
  lastSeq!: number;

  @ApiProperty({
    description: "Set once completed: the pipeline's result.",
    nullable: true,
    oneOf: [{ $ref: getSchemaPath(StatsResultDto) }, { $ref: getSchemaPath(DemoResultDto) }],
    example: null,
  })
  result!: unknown;

  @ApiProperty({
    type: AnalysisErrorDto,
    nullable: true,
    description: 'Set once failed.',
    example: null,
  })
  error!: AnalysisErrorDto | null;

  @ApiPropertyOptional({
    description:
      "Only in the owner's snapshots (creation, GET) while auth is on: the analysis's read-only token, accepted instead of a key by its GET, events and stream (`?token=`) and by Socket.IO subscribe.",
    example: 'q3Vh0sPqWm8J5b1n2c3d4e5f6g7h8i9j',
  })
  token?: string;
}
