/**
 * Request/response over the IPC channel between the orchestrator and the bench
 * processes it spawns. Each side ignores messages that are not addressed to it,
 * so the probe preloaded into a process and the process's own script share the channel.
 */

export interface RpcRequest {
  rpc: number;
  cmd: string;
  args?: unknown;
}

export interface RpcResponse {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (args: any) => unknown;

export function isRequest(message: unknown): message is RpcRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as RpcRequest).rpc === 'number' &&
    typeof (message as RpcRequest).cmd === 'string'
  );
}

/** Answers the orchestrator's commands named in `handlers`; exits when the orchestrator goes away. */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', (message: unknown) => {
    if (!isRequest(message) || !Object.hasOwn(handlers, message.cmd)) return;
    Promise.resolve()
      .then(() => handlers[message.cmd](message.args))
      .then(
        (result) => send({ rpc: message.rpc, ok: true, result }),
        (error: unknown) =>
          send({
            rpc: message.rpc,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Tells the orchestrator this process is ready to take commands. */
export function announceReady(info: Record<string, unknown> = {}): void {
  send({ ready: true, ...info });
}

function send(message: unknown): void {
  if (process.connected) process.send?.(message);
}
