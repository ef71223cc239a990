import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PIPELINES } from '../core/pipelines';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { AnalysisRunner, type RunOutcome } from '../service/analysis.runner';
import { RunAbort } from '../service/run-abort';
import { InMemoryPublisher } from '../service/in-memory.publisher';
import { CliError, type Command, UsageError } from './cli-args';
import { ProgressBar, type TerminalStream } from './progress-bar';

type RunCommand = Extract<Command, { name: 'run' }>;

export interface RunIo {
  stdout: { write(text: string): unknown };
  stderr: TerminalStream;
  /** Aborting it cancels the run (Ctrl-C). */
  signal: AbortSignal;
}

/**
 * Runs a pipeline in this process with the service's own runner and an
 * in-memory publisher: the same core and runner as a worker, no Redis.
 * Resolves with the exit status.
 */
export async function runCommand(command: RunCommand, io: RunIo): Promise<number> {
  const registry = new PipelineRegistry(PIPELINES);
  if (!registry.get(command.pipeline)) {
    throw new UsageError(
      `Unknown pipeline "${command.pipeline}". Valid pipelines: ${registry.names().join(', ')}.`,
    );
  }
  const input = await buildInput(command);
  const bar = io.stderr.isTTY ? new ProgressBar(io.stderr, command.pipeline) : undefined;
  const id = randomUUID();
  const publisher = new InMemoryPublisher(id, command.pipeline, (event) => bar?.update(event));
  const controller = new AbortController();
  io.signal.addEventListener('abort', () => controller.abort(new RunAbort('cancelled')));
  const outcome = await new AnalysisRunner(publisher, registry).run(
    { id, pipeline: command.pipeline, input, attempt: 1, maxAttempts: 1 },
    controller.signal,
  );
  bar?.done();
  return report(outcome, io);
}

async function buildInput(command: RunCommand): Promise<Record<string, unknown>> {
  const input = { ...command.input };
  if (command.csv !== undefined) {
    try {
      input.csv = await readFile(command.csv, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the CSV file: ${(error as Error).message}`);
    }
  }
  if (command.bins !== undefined) input.bins = command.bins;
  if (command.stepMs !== undefined) input.stepMs = command.stepMs;
  return input;
}

function report(outcome: RunOutcome, io: RunIo): number {
  switch (outcome.kind) {
    case 'completed':
      io.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
      return 0;
    case 'cancelled':
      io.stderr.write('cancelled\n');
      return 130;
    case 'failed':
    case 'retrying':
      io.stderr.write(`error: ${outcome.error.message}\n`);
      return 1;
    default:
      io.stderr.write(`error: the run ended as ${outcome.kind}\n`);
      return 1;
  }
}
