import { UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { HttpErrorFilter } from '../http/http-error.filter';
import { RequestValidationPipe } from '../http/request-validation.pipe';
import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PipelineRegistry, type PipelineDescription } from '../core/pipelines/pipeline.registry';
import { PipelineDescriptionDto } from './dto/pipeline-description.dto';

@ApiTags('pipelines')
@UseFilters(HttpErrorFilter)
@UseGuards(ApiKeyGuard)
@UsePipes(new RequestValidationPipe())
@Public()
@Controller('pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelineRegistry) {}

  @Get()
  @ApiOperation({ summary: 'The pipelines this service runs, with their steps and input schema' })
  @ApiOkResponse({ type: [PipelineDescriptionDto] })
  list(): PipelineDescription[] {
    return this.pipelines.describe();
  }
}
