/**
 * Preloaded (`node --require`) into every measured process, the service's and
 * the bare baselines' alike, so the orchestrator can read what only the
 * process itself knows: heap, event-loop delay. Idle unless asked.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { serve } from './lib/rpc';

let delay: IntervalHistogram | undefined;

serve({
  'probe.memory': () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    return { ...process.memoryUsage(), afterGc: gc !== undefined };
  },
  'probe.cpu': () => process.cpuUsage(),
  'probe.eldStart': (args: { resolutionMs?: number } | undefined) => {
    delay?.disable();
    delay = monitorEventLoopDelay({ resolution: args?.resolutionMs ?? 1 });
    delay.enable();
    // The histogram's first tick only sets its clock: let it tick before the caller starts blocking.
    return new Promise((resolve) => setTimeout(() => resolve(true), 20));
  },
  'probe.eldStop': () => {
    if (!delay) return undefined;
    delay.disable();
    const result = {
      maxMs: delay.max / 1e6,
      p99Ms: delay.percentile(99) / 1e6,
      meanMs: delay.mean / 1e6,
      samples: delay.count,
    };
    delay = undefined;
    return result;
  },
});
