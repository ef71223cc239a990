import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AnalysisEvent } from '../../src/core/analysis.types';
import { PIPELINES } from '../../src/core/pipelines';
import { PipelineRegistry } from '../../src/core/pipelines/pipeline.registry';
import { AnalysisRunner } from '../../src/service/analysis.runner';
import { InMemoryPublisher } from '../../src/service/in-memory.publisher';
import { runCli, startCli } from '../support/cli-process';
import { freePort } from '../support/free-port';
import { request } from '../support/http';
import { useService } from '../support/service-fixture';

const fixture = useService();
const dir = mkdtempSync(join(tmpdir(), 'ras-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A dataset with what CSV input may hold: quotes, CRLF, missing cells, a non-numeric column. */
function sampleCsv(rows: number): string {
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const lines = ['height,"weight",label,score'];
  for (let row = 0; row < rows; row += 1) {
    const height = (150 + random() * 50).toFixed(2);
    const weight = row % 17 === 0 ? '' : (Number(height) * 0.45 + random() * 10).toFixed(3);
    const score = row % 101 === 0 ? '1e3' : (random() * 2 - 1).toFixed(6);
    lines.push(`${height},"${weight}",item ${row},${score}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function runnerResult(input: unknown): Promise<unknown> {
  const publisher = new InMemoryPublisher('direct', 'stats');
  const outcome = await new AnalysisRunner(publisher, new PipelineRegistry(PIPELINES)).run(
    { id: 'direct', pipeline: 'stats', input, attempt: 1, maxAttempts: 1 },
    new AbortController().signal,
  );
  if (outcome.kind !== 'completed') throw new Error(`the runner ended ${outcome.kind}`);
  return outcome.result;
}

describe('cli run: a pipeline in-process, no Redis', () => {
  it("prints exactly the runner's result for a CSV file as JSON on stdout", async () => {
    const csv = sampleCsv(3_000);
    const file = join(dir, 'data.csv');
    writeFileSync(file, csv);
    const { code, stdout, stderr } = await runCli(['run', 'stats', '--csv', file, '--bins', '12']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const printed = JSON.parse(stdout);
    expect(printed).toEqual(await runnerResult({ csv, bins: 12 }));
    expect(printed.rows).toBe(3_000);
    expect(printed.nonNumeric).toEqual(['label']);
    expect(printed.columns.height.histogram.counts).toHaveLength(12);
  });

  it('runs demo with --step-ms and --input, through npm run cli', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      [
        'run',
        '--silent',
        'cli',
        '--',
        'run',
        'demo',
        '--step-ms',
        '10',
        '--input',
        '{"input":"hi"}',
      ],
      { cwd: join(__dirname, '..', '..') },
    );
    expect(JSON.parse(stdout)).toEqual({
      input: 'hi',
      step_one_result: expect.any(Number),
      step_two_result: 'processed',
    });
  });

  it('draws a progress bar on stderr when it is a terminal', async () => {
    const file = join(dir, 'small.csv');
    writeFileSync(file, sampleCsv(200));
    // `script` gives the CLI a pseudo-terminal; its stdout goes to a file, its stderr to the terminal.
    const out = join(dir, 'out.json');
    const cli = `${join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx')} src/cli/main.ts`;
    const { stdout: terminal } = await promisify(execFile)(
      'script',
      ['-qec', `${cli} run stats --csv ${file} > ${out}`, '/dev/null'],
      { cwd: join(__dirname, '..', '..') },
    );
    expect(terminal).toMatch(/stats \[█{30}\] 100% {2}correlation/);
  });

  it('fails with a clear message and a non-zero status', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3\n');
    // Each way the command line can be wrong is in cli-args.spec.ts; here, that each reaches the exit status.
    const cases: [string[], number, RegExp][] = [
      [[], 2, /Name a command: run or watch\.[\s\S]*Usage:/],
      [['run', 'nope'], 2, /Unknown pipeline "nope"\. Valid pipelines: demo, stats\./],
      [['run', 'stats', '--csv', join(dir, 'missing.csv')], 1, /cannot read the CSV file: ENOENT/],
      [['run', 'stats', '--csv', bad], 1, /^error: .*line 3/],
    ];
    const answers = await Promise.all(cases.map(([args]) => runCli(args)));
    cases.forEach(([args, status, message], index) => {
      const { code, stdout, stderr } = answers[index];
      expect({ args, code, stdout }).toEqual({ args, code: status, stdout: '' });
      expect(stderr).toMatch(message);
    });
  });
});

describe('cli watch: follows an analysis of a running service', () => {
  async function start(stepMs: number): Promise<string> {
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs },
    });
    return created.body.id;
  }

  const lines = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AnalysisEvent);

  it('prints every event as a JSON line and exits 0 once the analysis completed', async () => {
    const id = await start(100);
    const { code, stdout, stderr } = await runCli(['watch', id, '--url', fixture.service.url]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const events = (await request(fixture.service.url, 'GET', `/analyses/${id}/events`)).body;
    expect(lines(stdout)).toEqual(events);
  });

  it('starts after --after, and exits 1 when the analysis is cancelled', async () => {
    const id = await start(30_000);
    const watch = startCli(['watch', id, '--url', fixture.service.url, '--after', '1']);
    await watch.stdoutIncludes('"type":"started"');
    await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
    const { code, stdout } = await watch.exited;
    expect(code).toBe(1);
    expect(lines(stdout).map((event) => [event.seq, event.type])).toEqual([
      [2, 'started'],
      [3, 'cancelled'],
    ]);
  });

  it('exits 1 with the reason for an unknown id or an unreachable service', async () => {
    const unknown = await runCli(['watch', 'nope', '--url', fixture.service.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: No analysis has id "nope"\n');

    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await runCli(['watch', 'x', '--url', nowhere]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(`error: cannot reach ${nowhere} (connect ECONNREFUSED`);
  });
});
