import { BadRequestException, Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isTerminal } from '../core/analysis.types';
import { AnalysisIdPipe } from './analysis-id.pipe';
import { AnalysisService } from './analysis.service';
import { EventsQuery } from './dto/events.query';
import { SseStreams } from './stream/sse-streams';

/**
 * `GET /analyses/{id}/stream`: a job's events as Server-Sent Events, with the
 * Socket.IO subscription's guarantees: history then live, each `seq` once and
 * in order, ending after the terminal event.
 */
@Controller('analyses')
export class AnalysisStreamController {
  constructor(
    private readonly analyses: AnalysisService,
    private readonly streams: SseStreams,
  ) {}

  @Get(':id/stream')
  async stream(
    @Param('id', AnalysisIdPipe) id: string,
    @Query() query: EventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // An EventSource reconnects to the same URL with Last-Event-ID: it wins over `after`.
    const after = lastEventId?.trim() ? parseLastEventId(lastEventId) : query.after;
    const snapshot = await this.analyses.get(id);
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
