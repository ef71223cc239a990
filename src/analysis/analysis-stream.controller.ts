import { UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { HttpErrorFilter } from '../http/http-error.filter';
import { RequestValidationPipe } from '../http/request-validation.pipe';
import { BadRequestException, Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiBearerAuth,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Caller, CurrentCaller } from '../auth/caller';
import { AcceptsJobToken } from '../auth/public.decorator';
import { isTerminal } from '../core/analysis.types';
import { AnalysisIdPipe } from './analysis-id.pipe';
import { AnalysisService } from './analysis.service';
import { EventsQuery } from './dto/events.query';
import { HttpErrorDto } from './dto/http-error.dto';
import { SseStreams } from './stream/sse-streams';

/**
 * `GET /analyses/{id}/stream`: a job's events as Server-Sent Events, with the
 * Socket.IO subscription's guarantees: history then live, each `seq` once and
 * in order, ending after the terminal event.
 */
@ApiTags('analyses')
@UseFilters(HttpErrorFilter)
@UseGuards(ApiKeyGuard)
@UsePipes(new RequestValidationPipe())
@Controller('analyses')
export class AnalysisStreamController {
  constructor(
    private readonly analyses: AnalysisService,
    private readonly streams: SseStreams,
  ) {}

  @Get(':id/stream')
  @ApiOperation({
    summary: "An analysis's events as Server-Sent Events",
    description:
      'Every event with seq > after (or > Last-Event-ID), history first and then live, each once and in order; the stream ends after the terminal event. Each message has `id:` = seq, `event: analysis.event` and `data:` = the event as JSON (an EventSource listens with `addEventListener("analysis.event", …)`). A comment line `: heartbeat` comes every 15 s; `retry: 1000` asks an EventSource to reconnect after 1 s, sending Last-Event-ID.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description:
      'The seq of the last event received; wins over `after`. Sent by an EventSource when it reconnects.',
  })
  @ApiOkResponse({
    description: 'A `text/event-stream` of AnalysisEvent messages.',
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'Messages whose data is an AnalysisEvent.' },
        example:
          'retry: 1000\n\nid: 1\nevent: analysis.event\ndata: {"id":"3f0c…","seq":1,"type":"queued","status":"queued","progress":0,"step":null,"attempt":0,"at":"2026-01-01T00:00:00.000Z"}\n\n',
      },
    },
  })
  @ApiNoContentResponse({
    description:
      'The analysis has ended and the client already has its last event: nothing to stream (an EventSource stops reconnecting).',
  })
  @ApiBadRequestResponse({
    type: HttpErrorDto,
    description: 'Invalid id, `after` or Last-Event-ID, or a position past the last event.',
  })
  @ApiNotFoundResponse({
    type: HttpErrorDto,
    description: 'No analysis has this id, or it belongs to another tenant.',
  })
  @ApiUnauthorizedResponse({
    type: HttpErrorDto,
    description:
      "Neither a valid API key nor this analysis's token (`?token=`, since an EventSource cannot set headers).",
  })
  @ApiServiceUnavailableResponse({
    type: HttpErrorDto,
    description:
      'This process already serves MAX_STREAMS streams; `Retry-After` says when to retry.',
  })
  @ApiBearerAuth()
  @AcceptsJobToken()
  async stream(
    @Param('id', AnalysisIdPipe) id: string,
    @Query() query: EventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // An EventSource reconnects to the same URL with Last-Event-ID: it wins over `after`.
    const after = lastEventId?.trim() ? parseLastEventId(lastEventId) : query.after;
    const snapshot = await this.analyses.get(id, caller);
    if (after > snapshot.lastSeq) {
      throw new BadRequestException(
        `after (${after}) is beyond the analysis's last seq (${snapshot.lastSeq})`,
      );
    }
    // The client has it all and nothing more will come; 204 tells an EventSource to stop reconnecting.
    if (isTerminal(snapshot.status) && after === snapshot.lastSeq) {
      await reply.status(204).send();
      return;
    }
    this.streams.admit();
    reply.hijack();
    this.streams.serve(id, after, reply.raw);
  }
}

function parseLastEventId(value: string): number {
  const seq = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seq)) {
    throw new BadRequestException(
      `Last-Event-ID must be an integer ≥ 0, the seq of the last event received (got "${value}")`,
    );
  }
  return seq;
}
