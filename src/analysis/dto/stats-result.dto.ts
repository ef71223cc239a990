import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type {
  ColumnStats,
  Correlation,
  Histogram,
  Outliers,
  Quantiles,
  StatsResult,
} from '../../core/stats/stats.types';

/** Nullable numbers, as a column without enough present values has them. */
const nullableNumber = { type: 'number', nullable: true } as const;

@ApiSchema({ name: 'Quantiles', description: 'Linear interpolation between closest ranks.' })
export class QuantilesDto implements Quantiles {
  @ApiProperty({ example: -2.3 }) p01!: number;
  @ApiProperty({ example: -1.64 }) p05!: number;
  @ApiProperty({ example: -0.67 }) p25!: number;
  @ApiProperty({ example: 0.01 }) p50!: number;
  @ApiProperty({ example: 0.68 }) p75!: number;
  @ApiProperty({ example: 1.65 }) p95!: number;
  @ApiProperty({ example: 2.31 }) p99!: number;
}

@ApiSchema({
  name: 'Histogram',
  description:
    'Equal-width bins from min to max, each closed on the left, the last closed on both sides.',
})
export class HistogramDto implements Histogram {
  @ApiProperty({ type: [Number], description: 'bins + 1 edges.', example: [-3, -1, 1, 3] })
  edges!: number[];

  @ApiProperty({
    type: 'array',
    items: { type: 'integer' },
    description: 'Values per bin.',
    example: [160, 680, 158],
  })
  counts!: number[];
}

@ApiSchema({ name: 'Outliers', description: "Tukey's fences: Q1 − 1.5·IQR and Q3 + 1.5·IQR." })
export class OutliersDto implements Outliers {
  @ApiProperty({ type: 'integer', description: 'Values strictly outside the fences.', example: 7 })
  count!: number;

  @ApiProperty({ example: -2.7 }) lowFence!: number;
  @ApiProperty({ example: 2.7 }) highFence!: number;
}

@ApiSchema({
  name: 'ColumnStats',
  description:
    'One numeric column over its present values; the statistics are null for a column with no present value (std also with one).',
})
export class ColumnStatsDto implements ColumnStats {
  @ApiProperty({ type: 'integer', description: 'Present values.', example: 998 }) count!: number;
  @ApiProperty({ type: 'integer', description: 'Missing values (empty cells, null).', example: 2 })
  missing!: number;
  @ApiProperty({ ...nullableNumber, example: 0.012 }) mean!: number | null;
  @ApiProperty({
    ...nullableNumber,
    description: 'Sample standard deviation (n − 1).',
    example: 1.003,
  })
  std!: number | null;
  @ApiProperty({ ...nullableNumber, example: -3.1 }) min!: number | null;
  @ApiProperty({ ...nullableNumber, example: 3.2 }) max!: number | null;
  @ApiProperty({ type: QuantilesDto, nullable: true }) quantiles!: QuantilesDto | null;
  @ApiProperty({ type: HistogramDto, nullable: true }) histogram!: HistogramDto | null;
  @ApiProperty({ type: OutliersDto, nullable: true }) outliers!: OutliersDto | null;
}

@ApiSchema({
  name: 'Correlation',
  description: "Pearson's r over the rows where both columns are present; null where undefined.",
})
export class CorrelationDto implements Correlation {
  @ApiProperty({
    type: [String],
    description: 'Numeric columns, in input order.',
    example: ['a', 'b'],
  })
  names!: string[];

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: nullableNumber },
    example: [
      [1, 0.2],
      [0.2, 1],
    ],
  })
  matrix!: (number | null)[][];
}

@ApiSchema({ name: 'StatsResult', description: 'The result of the `stats` pipeline.' })
@ApiExtraModels(ColumnStatsDto)
export class StatsResultDto implements StatsResult {
  @ApiProperty({ type: 'integer', example: 1000 }) rows!: number;

  @ApiProperty({
    type: 'object',
    description: 'Each numeric column by name, in input order.',
    additionalProperties: { $ref: getSchemaPath(ColumnStatsDto) },
    example: {
      height: {
        count: 3,
        missing: 1,
        mean: 1.7267,
        std: 0.0971,
        min: 1.62,
        max: 1.81,
        quantiles: {
          p01: 1.6226,
          p05: 1.633,
          p25: 1.685,
          p50: 1.75,
          p75: 1.78,
          p95: 1.804,
          p99: 1.8088,
        },
        histogram: { edges: [1.62, 1.715, 1.81], counts: [1, 2] },
        outliers: { count: 0, lowFence: 1.5425, highFence: 1.9225 },
      },
    },
  })
  columns!: Record<string, ColumnStatsDto>;

  @ApiProperty({
    type: [String],
    description: 'Columns with a non-numeric cell.',
    example: ['city'],
  })
  nonNumeric!: string[];

  @ApiProperty({ type: CorrelationDto }) correlation!: CorrelationDto;
}

@ApiSchema({ name: 'DemoResult', description: 'The result of the `demo` pipeline.' })
export class DemoResultDto {
  @ApiProperty({ description: 'The input, echoed (any JSON value).', example: { hello: 'world' } })
  input!: unknown;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 42 })
  step_one_result!: number;
  @ApiProperty({ enum: ['processed'], example: 'processed' }) step_two_result!: 'processed';
}
