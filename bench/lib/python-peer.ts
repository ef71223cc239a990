import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths';

/** Where a python3 with numpy is looked for: Debian's first (python3-numpy), then the PATH's. */
const CANDIDATES = ['/usr/bin/python3', 'python3'];

export interface PythonPeer {
  /** The interpreter that imports numpy, or undefined when none does (the peer column is skipped). */
  python?: string;
  /** What was found or done, for the result file and the printed table. */
  note: string;
}

function importsNumpy(python: string): boolean {
  return spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

/**
 * A python3 with numpy for scenario 7's peer column. When none has it and the bench runs as root,
 * Debian's python3-numpy and python3-pandas are installed once (apt-get); otherwise the column is
 * skipped, and the note says which happened.
 */
export function findPythonPeer(log: (line: string) => void): PythonPeer {
  const found = CANDIDATES.find(importsNumpy);
  if (found) return { python: found, note: `numpy found for ${found}` };
  if (process.getuid?.() !== 0) {
    return { note: 'numpy peer skipped: no python3 imports numpy and the bench is not root' };
  }
  log('   installing python3-numpy and python3-pandas (apt-get) for the numpy peer');
  const install = spawnSync('apt-get', ['install', '-y', 'python3-numpy', 'python3-pandas'], {
    stdio: 'ignore',
    timeout: 600_000,
  });
  const installed = CANDIDATES.find(importsNumpy);
  return installed
    ? { python: installed, note: `installed python3-numpy and python3-pandas for ${installed}` }
    : { note: `numpy peer skipped: apt-get install failed (status ${install.status})` };
}

export interface PeerRuns {
  parseMs: number[];
  profileMs: number[];
  rows: number;
}

export interface PeerResult {
  python: string;
  numpyVersion: string;
  pandasVersion: string | null;
  numpy: PeerRuns;
  pandas?: PeerRuns;
}

/** Parses and profiles `csvFile` `runs` times in one Python process (bench/procs/numpy_profile.py). */
export function runPythonPeer(
  python: string,
  csvFile: string,
  runs: number,
  bins: number,
): PeerResult {
  const script = join(ROOT, 'bench', 'procs', 'numpy_profile.py');
  const run = spawnSync(python, [script, csvFile, String(runs), String(bins)], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) throw new Error(`numpy peer failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as PeerResult;
}
