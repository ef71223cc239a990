/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, as written by
 * `BENCH_PROFILE=1 npm run bench`): self time by function and by package.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile | directory> [top]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, one of ours, or Node/V8 itself. */
function owner(url: string): string {
  if (url === '') return '(v8/native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return 'node:internal';
  const ours = /\/(dist|src)\/(.+)$/.exec(url);
  if (ours) return `service ${ours[2].split('/').slice(0, -1).join('/') || ours[2]}`;
  return url.replace(/^file:\/\//, '');
}

export function summarise(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || '(anonymous)';
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|dist|src)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const key = `${name} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const pkg = ['(idle)', '(program)', '(garbage collector)'].includes(name)
      ? name
      : owner(frame.url);
    byOwner.set(pkg, (byOwner.get(pkg) ?? 0) + micros);
  }
  const busy = total - (byOwner.get('(idle)') ?? 0);
  const pct = (micros: number): string => `${((micros / busy) * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `profile: ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (percentages are of busy time)`,
    '',
    'self time by package / folder:',
  ];
  for (const [key, micros] of [...byOwner]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    lines.push(`  ${pct(micros)}  ${key}`);
  }
  lines.push('', 'self time by function:');
  for (const [key, micros] of [...byFunction]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    lines.push(`  ${pct(micros)}  ${key}`);
  }
  return lines.join('\n');
}

function main(): void {
  const [target, top] = process.argv.slice(2);
  if (!target) {
    process.stderr.write(
      'usage: tsx bench/profile-summary.ts <file.cpuprofile | directory> [top]\n',
    );
    process.exit(2);
  }
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((file) => file.endsWith('.cpuprofile'))
        .map((file) => join(target, file))
    : [target];
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    process.stdout.write(`\n== ${file}\n${summarise(profile, Number(top ?? 25))}\n`);
  }
}

main();
