import { AnalysisClient, ApiError } from '../client/analysis-client';
import type { Command } from './cli-args';

type WatchCommand = Extract<Command, { name: 'watch' }>;

export interface WatchIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Aborting it stops watching (Ctrl-C). */
  signal: AbortSignal;
}

/**
 * Follows an analysis of a running service through the typed client, one
 * event per line on stdout. Resolves with the exit status: 0 when the
 * analysis completed, 1 when it failed or was cancelled.
 */
export async function watchCommand(command: WatchCommand, io: WatchIo): Promise<number> {
  const client = new AnalysisClient(command.url, { key: command.key, token: command.token });
  try {
    // A REST call first: an unknown id or an unreachable service fails at once, not by waiting.
    await client.get(command.id);
    client.onConnectionState((state) => {
      if (state === 'reconnecting') io.stderr.write('watch: connection lost, reconnecting…\n');
    });
    let last: string | undefined;
    for await (const event of client.watch(command.id, {
      after: command.after,
      signal: io.signal,
    })) {
      io.stdout.write(`${JSON.stringify(event)}\n`);
      last = event.status;
    }
    if (io.signal.aborted) return 130;
    if (last === undefined) last = (await client.get(command.id)).status;
    return last === 'completed' ? 0 : 1;
  } catch (error) {
    io.stderr.write(`error: ${describe(error, command.url)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

function describe(error: unknown, url: string): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) {
    const cause = (error as TypeError & { cause?: Error }).cause;
    return `cannot reach ${url} (${cause?.message ?? error.message})`;
  }
  return error instanceof Error ? error.message : String(error);
}
