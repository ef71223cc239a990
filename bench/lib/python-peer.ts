import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths';

/** The peer the issue names: Debian's python3-numpy and python3-pandas, for Debian's python3. */
const DEBIAN_PYTHON = '/usr/bin/python3';
/** Another interpreter a user may have (pyenv, a venv): measured too, for the details. */
const PATH_PYTHON = 'python3';

export interface PythonPeer {
  /** The interpreter whose numpy is the peer column, or undefined when none imports numpy. */
  python?: string;
  /** Other interpreters with a numpy of their own, run beside it for the result file's details. */
  others: string[];
  /** What was found or done, for the result file and the printed table. */
  note: string;
}

function importsNumpy(python: string): boolean {
  return spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

/** The interpreter's own path (`sys.executable`), to tell two names of one interpreter apart. */
function executableOf(python: string): string | undefined {
  const run = spawnSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The PATH's python3, when it is another interpreter than `chosen` and imports numpy. */
function otherPeers(chosen: string): string[] {
  const other = executableOf(PATH_PYTHON);
  if (!other || other === executableOf(chosen) || !importsNumpy(PATH_PYTHON)) return [];
  return [PATH_PYTHON];
}

/**
 * The python3 for scenario 7's peer column: Debian's, with python3-numpy and python3-pandas
 * installed once (apt-get) when missing and the bench runs as root. Without them, the PATH's
 * python3 if it imports numpy; else the column is skipped. The note says which happened.
 */
export function findPythonPeer(log: (line: string) => void): PythonPeer {
  if (importsNumpy(DEBIAN_PYTHON)) {
    return {
      python: DEBIAN_PYTHON,
      others: otherPeers(DEBIAN_PYTHON),
      note: `Debian's numpy found for ${DEBIAN_PYTHON}`,
    };
  }
  let why = 'the bench is not root';
  if (process.getuid?.() === 0) {
    log('   installing python3-numpy and python3-pandas (apt-get) for the numpy peer');
    const install = spawnSync('apt-get', ['install', '-y', 'python3-numpy', 'python3-pandas'], {
      stdio: 'ignore',
      timeout: 600_000,
    });
    if (importsNumpy(DEBIAN_PYTHON)) {
      return {
        python: DEBIAN_PYTHON,
        others: otherPeers(DEBIAN_PYTHON),
        note: `installed python3-numpy and python3-pandas for ${DEBIAN_PYTHON}`,
      };
    }
    why = `apt-get install failed (status ${install.status})`;
  }
  if (importsNumpy(PATH_PYTHON)) {
    return {
      python: PATH_PYTHON,
      others: [],
      note: `Debian's numpy unavailable (${why}); numpy found for ${PATH_PYTHON}`,
    };
  }
  return { others: [], note: `numpy peer skipped: no python3 imports numpy and ${why}` };
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
