import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../auth/api-keys';
import type { AppConfig } from '../config/app-config';
import { ADMIN_CHALLENGE, isAdmin } from './admin-access';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';
const ADMIN_KEYS = Symbol('ADMIN_KEYS');

/**
 * bull-board at /admin/queues, reading BullMQ's queues (one per shard) only. ADMIN_KEYS set:
 * those keys only. ADMIN_KEYS empty: open while auth is off, absent (404) while it is on.
 */
@Module({})
export class QueueDashboardModule implements OnModuleInit {
  static forRoot(config: AppConfig, queueNames: readonly string[]): DynamicModule {
    const enabled = config.adminKeys.length > 0 || config.apiKeys.length === 0;
    if (!enabled)
      return { module: QueueDashboardModule, providers: [{ provide: ADMIN_KEYS, useValue: [] }] };
    return {
      module: QueueDashboardModule,
      imports: [
        BullBoardModule.forRoot({
          route: QUEUE_DASHBOARD_ROUTE,
          adapter: FastifyAdapter,
          boardOptions: { uiConfig: { boardTitle: 'Analyses' } },
        }),
        BullBoardModule.forFeature(...queueNames.map((name) => ({ name, adapter: BullMQAdapter }))),
      ],
      providers: [{ provide: ADMIN_KEYS, useValue: config.adminKeys }],
    };
  }

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ADMIN_KEYS) private readonly adminKeys: readonly ApiKey[],
  ) {}

  /**
   * The board's pages and API are routes of a Fastify plugin, which Nest
   * middleware would guard only at the exact base path: a hook checks every
   * route under it, matched by pattern so that no spelling of the URL slips by.
   */
  onModuleInit(): void {
    if (this.adminKeys.length === 0) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url ?? '';
      const guarded =
        route === QUEUE_DASHBOARD_ROUTE || route.startsWith(`${QUEUE_DASHBOARD_ROUTE}/`);
      if (!guarded || isAdmin(this.adminKeys, request.headers.authorization)) return done();
      void reply.code(401).headers(ADMIN_CHALLENGE.headers).send(ADMIN_CHALLENGE.body);
    });
  }
}
