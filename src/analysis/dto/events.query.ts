import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { TokenQuery } from './token.query';

export class EventsQuery extends TokenQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    default: 0,
    description: 'Return events with seq greater than this.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be an integer ≥ 0' })
  @Min(0, { message: 'after must be an integer ≥ 0' })
  after: number = 0;
}
