import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a service, so a test can drop a client's
 * connections the way a network does, without reaching into the client.
 */
export class TcpProxy {
  private readonly open = new Set<Socket>();
  private refusing = false;

  private readonly server: Server;
  private port = 0;

  private constructor(private readonly target: URL) {
    this.server = createServer((incoming) => this.forward(incoming));
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const proxy = new TcpProxy(new URL(targetUrl));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection; with `refuse`, also turns new ones away until `restore()`. */
  cut({ refuse = false } = {}): void {
    this.refusing = refuse;
    this.open.forEach((socket) => socket.destroy());
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(incoming: Socket): void {
    if (this.refusing) {
      incoming.destroy();
      return;
    }
    const outgoing = connect(Number(this.target.port), this.target.hostname);
    for (const socket of [incoming, outgoing]) {
      this.open.add(socket);
      // A cut or refused connection errors on its other side; `close` below tidies both.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.open.delete(socket);
        incoming.destroy();
        outgoing.destroy();
      });
    }
    incoming.pipe(outgoing).pipe(incoming);
  }
}
