/**
 * Bare baseline for the analysis scenario: the same `stats` computation (the
 * service's pure pipeline, from dist/) run straight through in a plain
 * process, from the request body's JSON text to the result, with no slicing,
 * no queue and no events. It shows what the computation itself costs (parse
 * and the rest apart) and how long it would block an event loop that did not
 * slice it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyPipeline, Work } from '../../src/core/pipeline.types';
import { DIST } from '../lib/paths';
import { announceReady, serve } from '../lib/rpc';
import { wallNow } from '../lib/stats';

/* eslint-disable @typescript-eslint/no-require-imports */
const { statsPipeline } = require(join(DIST, 'core/pipelines/stats.pipeline.js')) as {
  statsPipeline: AnyPipeline;
};
const { runToCompletion } = require(join(DIST, 'core/work.js')) as {
  runToCompletion: <T>(work: Work<T>) => T;
};
/* eslint-enable @typescript-eslint/no-require-imports */

serve({
  run(args: { bodyFile: string }) {
    const text = readFileSync(args.bodyFile, 'utf8');
    const started = wallNow();
    const body = JSON.parse(text) as { input: unknown };
    const input: unknown = runToCompletion(statsPipeline.validate(body.input));
    let state: unknown = statsPipeline.init(input);
    // The parse step; the rest is the computation alone, what numpy's profile time compares with.
    let computing = wallNow();
    for (const [index, step] of statsPipeline.steps.entries()) {
      state = runToCompletion(step.run(state, { random: Math.random })).state;
      if (index === 0) computing = wallNow();
    }
    const result = statsPipeline.result(state) as { rows: number };
    const ended = wallNow();
    return {
      ms: ended - started,
      parseMs: computing - started,
      computeMs: ended - computing,
      rows: result.rows,
    };
  },
});
announceReady();
