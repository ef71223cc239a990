import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { socketCors } from './auth/cors';

/** A Socket.IO message larger than this closes that socket (and only it). */
export const MAX_SOCKET_MESSAGE_BYTES = 65_536;

/**
 * Nest's IoAdapter builds an RxJS pipeline per socket and per handler
 * (fromEvent → mergeMap → takeUntil(disconnect$)): about 11 KiB of heap for
 * every connected client, as much again as Socket.IO's own. A plain listener
 * per handler does the same job; the per-message pipeline is unchanged.
 * Measured by `npx tsx bench/heap-split.ts` (BENCHMARKS.md, "Capacity"):
 * 21.6 KiB per connected client with IoAdapter, 11.1 KiB with this one
 * (bare Socket.IO 10.5 KiB). The service's own choice: AnalysisModule works
 * under Nest's IoAdapter too, as examples/host-app shows.
 * The server gets the service's limits and CORS_ORIGINS.
 */
export class LeanIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly corsOrigins: readonly string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    return super.createIOServer(port, {
      ...options,
      ...socketCors(this.corsOrigins),
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    }) as Server;
  }

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
