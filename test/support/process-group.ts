import { LiveClient } from './live-client';
import { type ServiceProcess, startService } from './service-process';

/**
 * The service processes and Socket.IO clients one suite starts, all with the
 * suite's settings, stopped together in its `afterAll`.
 */
export class ProcessGroup {
  private readonly processes: ServiceProcess[] = [];
  private readonly clients: LiveClient[] = [];

  /** `settings` is read at each start: a suite's Redis is known only once `beforeAll` ran. */
  constructor(private readonly settings: () => Record<string, string>) {}

  async start(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await startService({ ...this.settings(), ...env });
    this.processes.push(service);
    return service;
  }

  /** A client connected to `service`'s gateway. */
  async clientOf(service: ServiceProcess): Promise<LiveClient> {
    const live = new LiveClient(service.url);
    this.clients.push(live);
    await live.connected();
    return live;
  }

  async stop(): Promise<void> {
    this.clients.forEach((client) => client.close());
    await Promise.all(this.processes.map((service) => service.stop()));
  }
}
