import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUILD_DIR, ROOT } from './paths';

/**
 * Builds the service with `npm run build` (nest build → dist/), and bundles
 * the bench's own processes to plain JavaScript, so that the service and the
 * baselines both run as compiled code under plain `node`.
 */
export async function buildAll(log: (line: string) => void): Promise<void> {
  log('building the service (npm run build: nest build and the dataview)…');
  const built = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) throw new Error(`npm run build failed with status ${built.status}`);
  const procs = readdirSync(join(ROOT, 'bench', 'procs'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, 'bench', 'procs', file));
  await build({
    entryPoints: [join(ROOT, 'bench', 'probe.ts'), ...procs],
    outdir: BUILD_DIR,
    outbase: join(ROOT, 'bench'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: false,
    logLevel: 'warning',
  });
  log(`bench processes bundled into ${BUILD_DIR}`);
}
