import { UseFilters, UsePipes } from '@nestjs/common';
import { HttpErrorFilter } from '../http/http-error.filter';
import { RequestValidationPipe } from '../http/request-validation.pipe';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AnalysisEvent, AnalysisSnapshot } from '../core/analysis.types';
import { AnalysisIdPipe } from './analysis-id.pipe';
import { AnalysisService, type Creation } from './analysis.service';
import { AnalysisEventDto } from './dto/analysis-event.dto';
import { AnalysisSnapshotDto } from './dto/analysis-snapshot.dto';
import { CreateAnalysisDto } from './dto/create-analysis.dto';
import { EventsQuery } from './dto/events.query';
import { HttpErrorDto } from './dto/http-error.dto';
import { ListAnalysesQuery } from './dto/list-analyses.query';

const LOCATION = {
  Location: { description: 'The analysis: `/analyses/{id}`.', schema: { type: 'string' } },
};

/** REST for analyses: validates, delegates to AnalysisService, shapes the HTTP answer. */
@ApiTags('analyses')
@ApiBadRequestResponse({
  type: HttpErrorDto,
  description:
    'Invalid id, body or query: unknown pipeline (the message lists the valid ones), input the pipeline rejects (naming the field), malformed JSON.',
})
@UseFilters(HttpErrorFilter)
@UsePipes(new RequestValidationPipe())
@Controller('analyses')
export class AnalysisController {
  constructor(private readonly analyses: AnalysisService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start an analysis with a server-generated id' })
  @ApiAcceptedResponse({
    type: AnalysisSnapshotDto,
    headers: LOCATION,
    description: 'Queued; `Location` names the new analysis.',
  })
  @ApiPayloadTooLargeResponse({
    type: HttpErrorDto,
    description: 'Body larger than MAX_BODY_BYTES.',
  })
  async create(
    @Body() body: CreateAnalysisDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisSnapshot> {
    return answer(reply, await this.analyses.create(body.pipeline, body.input));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Start an analysis under a client-chosen id (idempotent)' })
  @ApiAcceptedResponse({
    type: AnalysisSnapshotDto,
    headers: LOCATION,
    description: 'Created and queued.',
  })
  @ApiOkResponse({
    type: AnalysisSnapshotDto,
    headers: LOCATION,
    description:
      'The same request was made before (even if it has finished): its current snapshot.',
  })
  @ApiConflictResponse({
    type: HttpErrorDto,
    description: 'The id is taken by a different pipeline or input.',
  })
  @ApiPayloadTooLargeResponse({
    type: HttpErrorDto,
    description: 'Body larger than MAX_BODY_BYTES.',
  })
  async put(
    @Param('id', AnalysisIdPipe) id: string,
    @Body() body: CreateAnalysisDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisSnapshot> {
    return answer(reply, await this.analyses.create(body.pipeline, body.input, id));
  }

  @Get()
  @ApiOperation({ summary: 'Recent analyses, newest first' })
  @ApiOkResponse({ type: [AnalysisSnapshotDto] })
  list(@Query() query: ListAnalysesQuery): Promise<AnalysisSnapshot[]> {
    return this.analyses.list(query.limit, query.status);
  }

  @Get(':id')
  @ApiOperation({ summary: "An analysis's snapshot" })
  @ApiOkResponse({ type: AnalysisSnapshotDto })
  @ApiNotFoundResponse({ type: HttpErrorDto, description: 'No analysis has this id.' })
  get(@Param('id', AnalysisIdPipe) id: string): Promise<AnalysisSnapshot> {
    return this.analyses.get(id);
  }

  @Get(':id/events')
  @ApiOperation({ summary: "An analysis's events with seq > after, in order" })
  @ApiOkResponse({ type: [AnalysisEventDto] })
  @ApiNotFoundResponse({ type: HttpErrorDto, description: 'No analysis has this id.' })
  events(
    @Param('id', AnalysisIdPipe) id: string,
    @Query() query: EventsQuery,
  ): Promise<AnalysisEvent[]> {
    return this.analyses.events(id, query.after);
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a queued or running analysis' })
  @ApiAcceptedResponse({
    type: AnalysisSnapshotDto,
    description: 'Cancelled: the snapshot after cancellation.',
  })
  @ApiNotFoundResponse({ type: HttpErrorDto, description: 'No analysis has this id.' })
  @ApiConflictResponse({ type: HttpErrorDto, description: 'The analysis already ended.' })
  cancel(@Param('id', AnalysisIdPipe) id: string): Promise<AnalysisSnapshot> {
    return this.analyses.cancel(id);
  }
}

function answer(reply: FastifyReply, { created, snapshot }: Creation): AnalysisSnapshot {
  // From the matched route, so that it names the analysis under whatever prefix a host mounts it.
  const collection = (reply.request.routeOptions.url ?? '/analyses').replace(/\/:id$/, '');
  void reply
    .status(created ? 202 : 200)
    .header('Location', `${collection}/${encodeURIComponent(snapshot.id)}`);
  return snapshot;
}
