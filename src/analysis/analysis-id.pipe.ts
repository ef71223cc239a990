import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { INVALID_ID_MESSAGE, isValidId } from './analysis-job';

/** Rejects a malformed id in the path before it reaches Redis. */
export class AnalysisIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidId(value))
      throw new BadRequestException(`Invalid id "${value}": ${INVALID_ID_MESSAGE}`);
    return value;
  }
}
