import { UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
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
  ApiBearerAuth,
  ApiConflictResponse,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { OwnerSnapshot } from '../auth/analysis-access';
import { type Caller, CurrentCaller } from '../auth/caller';
import { AcceptsJobToken } from '../auth/public.decorator';
import type { AnalysisEvent, AnalysisSnapshot } from '../core/analysis.types';
import { AnalysisIdPipe } from './analysis-id.pipe';
import { AnalysisService, type Creation } from './analysis.service';
import { AnalysisEventDto } from './dto/analysis-event.dto';
import { AnalysisSnapshotDto } from './dto/analysis-snapshot.dto';
import { CreateAnalysisDto } from './dto/create-analysis.dto';
import { EventsQuery } from './dto/events.query';
import { HttpErrorDto } from './dto/http-error.dto';
import { ListAnalysesQuery } from './dto/list-analyses.query';
import { TokenQuery } from './dto/token.query';

const NOT_FOUND = 'No analysis has this id, or it belongs to another tenant.';

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer' },
  },
};

/** What every write may answer besides its own outcomes: RATE_LIMIT and MAX_QUEUED_JOBS. */
const WriteLimits = (): MethodDecorator => (target, key, descriptor) => {
  ApiTooManyRequestsResponse({
    type: HttpErrorDto,
    headers: RETRY_AFTER,
    description: "Over the tenant's RATE_LIMIT of POST, PUT and DELETE requests.",
  })(target, key, descriptor);
  ApiServiceUnavailableResponse({
    type: HttpErrorDto,
    headers: RETRY_AFTER,
    description: 'MAX_QUEUED_JOBS analyses are waiting, or Redis is unreachable: nothing stored.',
  })(target, key, descriptor);
};

/** A write's body may also be a `stats` dataset as CSV text, its pipeline and options in the query. */
const AcceptsCsv = (): MethodDecorator => (target, key, descriptor) => {
  ApiConsumes('application/json', 'text/csv')(target, key, descriptor);
  ApiQuery({
    name: 'pipeline',
    required: false,
    description:
      'With a `text/csv` body (RFC 4180, a header row naming the columns): the pipeline, `stats`. The request is then `{ pipeline, input: { csv: <body>, bins } }`.',
  })(target, key, descriptor);
  ApiQuery({
    name: 'bins',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
    description: 'With a `text/csv` body: histogram bins per column.',
  })(target, key, descriptor);
};

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
@UseGuards(ApiKeyGuard)
@UsePipes(new RequestValidationPipe())
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  type: HttpErrorDto,
  description:
    'No valid API key (`Authorization: Bearer <key>`), or, where a token is accepted, no valid token for this analysis. Carries `WWW-Authenticate: Bearer`.',
})
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
  @WriteLimits()
  @AcceptsCsv()
  async create(
    @Body() body: CreateAnalysisDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OwnerSnapshot> {
    return answer(reply, await this.analyses.create(body.pipeline, body.input, caller));
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
    description: 'The id is taken by a different pipeline or input, or by another tenant.',
  })
  @ApiPayloadTooLargeResponse({
    type: HttpErrorDto,
    description: 'Body larger than MAX_BODY_BYTES.',
  })
  @WriteLimits()
  @AcceptsCsv()
  async put(
    @Param('id', AnalysisIdPipe) id: string,
    @Body() body: CreateAnalysisDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OwnerSnapshot> {
    return answer(reply, await this.analyses.create(body.pipeline, body.input, caller, id));
  }

  @Get()
  @ApiOperation({ summary: "The tenant's recent analyses, newest first" })
  @ApiOkResponse({ type: [AnalysisSnapshotDto] })
  list(
    @Query() query: ListAnalysesQuery,
    @CurrentCaller() caller: Caller,
  ): Promise<AnalysisSnapshot[]> {
    return this.analyses.list(caller, query.limit, query.status);
  }

  @Get(':id')
  @ApiOperation({ summary: "An analysis's snapshot" })
  @ApiOkResponse({ type: AnalysisSnapshotDto })
  @ApiNotFoundResponse({ type: HttpErrorDto, description: NOT_FOUND })
  @AcceptsJobToken()
  get(
    @Param('id', AnalysisIdPipe) id: string,
    @Query() _query: TokenQuery,
    @CurrentCaller() caller: Caller,
  ): Promise<OwnerSnapshot> {
    return this.analyses.get(id, caller);
  }

  @Get(':id/events')
  @ApiOperation({ summary: "An analysis's events with seq > after, in order" })
  @ApiOkResponse({ type: [AnalysisEventDto] })
  @ApiNotFoundResponse({ type: HttpErrorDto, description: NOT_FOUND })
  @AcceptsJobToken()
  events(
    @Param('id', AnalysisIdPipe) id: string,
    @Query() query: EventsQuery,
    @CurrentCaller() caller: Caller,
  ): Promise<AnalysisEvent[]> {
    return this.analyses.events(id, query.after, caller);
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a queued or running analysis' })
  @ApiAcceptedResponse({
    type: AnalysisSnapshotDto,
    description: 'Cancelled: the snapshot after cancellation.',
  })
  @ApiNotFoundResponse({ type: HttpErrorDto, description: NOT_FOUND })
  @ApiConflictResponse({ type: HttpErrorDto, description: 'The analysis already ended.' })
  @WriteLimits()
  cancel(
    @Param('id', AnalysisIdPipe) id: string,
    @CurrentCaller() caller: Caller,
  ): Promise<AnalysisSnapshot> {
    return this.analyses.cancel(id, caller);
  }
}

function answer(reply: FastifyReply, { created, snapshot }: Creation): OwnerSnapshot {
  // From the matched route, so that it names the analysis under whatever prefix a host mounts it.
  const collection = (reply.request.routeOptions.url ?? '/analyses').replace(/\/:id$/, '');
  void reply
    .status(created ? 202 : 200)
    .header('Location', `${collection}/${encodeURIComponent(snapshot.id)}`);
  return snapshot;
}
