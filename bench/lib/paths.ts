import { resolve } from 'node:path';

/**
 * The repository root. The orchestrator runs from bench/ under tsx; the bench
 * processes run bundled from node_modules/.cache and get it as BENCH_ROOT.
 */
export const ROOT = process.env.BENCH_ROOT ?? resolve(__dirname, '..', '..');
export const DIST = resolve(ROOT, 'dist');
export const BUILD_DIR = resolve(ROOT, 'node_modules', '.cache', 'ras-bench');
export const PROBE = resolve(BUILD_DIR, 'probe.js');
export const SERVICE_MAIN = resolve(DIST, 'main.js');
export const RESULTS_DIR = resolve(ROOT, 'bench', 'results');
