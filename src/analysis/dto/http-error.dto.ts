import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** Every error answer: Nest's shape, with `statusCode` equal to the HTTP status. */
@ApiSchema({ name: 'ErrorResponse' })
export class HttpErrorDto {
  @ApiProperty({ description: 'The HTTP status.', example: 400 })
  statusCode!: number;

  @ApiProperty({ description: "The status's name.", example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    description: 'What went wrong, in words a person can act on; a list when several fields fail.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'Unknown pipeline "nope". Valid pipelines: demo, stats',
  })
  message!: string | string[];
}
