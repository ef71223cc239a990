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
import { CreateAnalysisDto } from './dto/create-analysis.dto';
import { EventsQuery } from './dto/events.query';
import { ListAnalysesQuery } from './dto/list-analyses.query';

/** REST for analyses: validates, delegates to AnalysisService, shapes the HTTP answer. */
@ApiTags('analyses')
@ApiBadRequestResponse({ description: 'Invalid id, body or query; the message names the problem.' })
@Controller('analyses')
export class AnalysisController {
  constructor(private readonly analyses: AnalysisService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start an analysis with a server-generated id' })
  @ApiAcceptedResponse({ description: 'Queued; `Location` names the new analysis.' })
  @ApiPayloadTooLargeResponse({ description: 'Body larger than MAX_BODY_BYTES.' })
  async create(
    @Body() body: CreateAnalysisDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisSnapshot> {
    return answer(reply, await this.analyses.create(body.pipeline, body.input));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Start an analysis under a client-chosen id (idempotent)' })
  @ApiAcceptedResponse({ description: 'Created and queued.' })
  @ApiOkResponse({ description: 'The same request was made before: its current snapshot.' })
  @ApiConflictResponse({ description: 'The id is taken by a different request.' })
  async put(
    @Param('id', AnalysisIdPipe) id: string,
    @Body() body: CreateAnalysisDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisSnapshot> {
    return answer(reply, await this.analyses.create(body.pipeline, body.input, id));
  }

  @Get()
  @ApiOperation({ summary: 'Recent analyses, newest first' })
  list(@Query() query: ListAnalysesQuery): Promise<AnalysisSnapshot[]> {
    return this.analyses.list(query.limit, query.status);
  }

  @Get(':id')
  @ApiOperation({ summary: "An analysis's snapshot" })
  @ApiNotFoundResponse({ description: 'No analysis has this id.' })
  get(@Param('id', AnalysisIdPipe) id: string): Promise<AnalysisSnapshot> {
    return this.analyses.get(id);
  }

  @Get(':id/events')
  @ApiOperation({ summary: "An analysis's events with seq > after, in order" })
  @ApiNotFoundResponse({ description: 'No analysis has this id.' })
  events(
    @Param('id', AnalysisIdPipe) id: string,
    @Query() query: EventsQuery,
  ): Promise<AnalysisEvent[]> {
    return this.analyses.events(id, query.after);
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a queued or running analysis' })
  @ApiAcceptedResponse({ description: 'Cancelled: the snapshot after cancellation.' })
  @ApiNotFoundResponse({ description: 'No analysis has this id.' })
  @ApiConflictResponse({ description: 'The analysis already ended.' })
  cancel(@Param('id', AnalysisIdPipe) id: string): Promise<AnalysisSnapshot> {
    return this.analyses.cancel(id);
  }
}

function answer(reply: FastifyReply, { created, snapshot }: Creation): AnalysisSnapshot {
  void reply.status(created ? 202 : 200).header('Location', `/analyses/${snapshot.id}`);
  return snapshot;
}
