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
  children?: number[];
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

function frameKey(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  const where = frame.url
    ? `${frame.url.replace(/^.*\/(node_modules|dist|src)\//, '$1/')}:${frame.lineNumber + 1}`
    : '';
  return `${name} ${where}`.trim();
}

/** Time spent in each function including its callees, each sample counted once per function. */
function inclusive(
  profile: Profile,
  key: (frame: ProfileNode['callFrame']) => string,
): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === '(idle)') return;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const name = key(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
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
    const key = frameKey(frame);
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
  lines.push('', 'inclusive time (the function and what it called), our code and libraries:');
  for (const [key, micros] of inclusive(profile, frameKey)
    .filter(([k]) => /(dist|node_modules)\//.test(k))
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
