import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `?token=`: the job's read-only token, for clients that hold no key (a browser tab, a shared link). */
export class TokenQuery {
  @ApiPropertyOptional({
    description:
      "The analysis's read-only token (from its snapshot), instead of an API key. Only read routes of that one analysis accept it.",
  })
  @IsOptional()
  @IsString({ message: 'token must be a string' })
  @MaxLength(256, { message: 'token is at most 256 characters' })
  token?: string;
}
