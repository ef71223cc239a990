import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Socket } from 'socket.io';

/**
 * Nest's IoAdapter builds an RxJS pipeline per socket and per handler
 * (fromEvent → mergeMap → takeUntil(disconnect$)): about 11 KiB of heap for
 * every connected client, as much again as Socket.IO's own. A plain listener
 * per handler does the same job; the per-message pipeline is unchanged.
 * Measured by `npx tsx bench/heap-split.ts` (BENCHMARKS.md, "Capacity"):
 * 21.6 KiB per connected client with IoAdapter, 11.1 KiB with this one
 * (bare Socket.IO 10.5 KiB). The service's own choice: AnalysisModule works
 * under Nest's IoAdapter too, as examples/host-app shows.
 */
export class LeanIoAdapter extends IoAdapter {
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(String(message), (...payload: unknown[]) => {
        const { data, ack } = this.mapPayload(payload);
        transform(callback(data, ack)).subscribe((response) => {
          if (response === undefined || response === null || socket.disconnected) return;
          const reply = response as { event?: string; data?: unknown };
          if (reply.event) socket.emit(reply.event, reply.data);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        });
      });
    }
  }
}
