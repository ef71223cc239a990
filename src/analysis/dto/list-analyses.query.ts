import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ANALYSIS_STATUSES, type AnalysisStatus } from '../../core/analysis.types';

export class ListAnalysesQuery {
  @ApiPropertyOptional({ enum: ANALYSIS_STATUSES, description: 'Only analyses with this status.' })
  @IsOptional()
  @IsIn(ANALYSIS_STATUSES, { message: `status must be one of ${ANALYSIS_STATUSES.join(', ')}` })
  status?: AnalysisStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 200' })
  @Min(1, { message: 'limit must be an integer from 1 to 200' })
  @Max(200, { message: 'limit must be an integer from 1 to 200' })
  limit: number = 50;
}
