import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Linux reports process and machine CPU time in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

interface MachineTimes {
  busy: number;
  steal: number;
}

function machineTimes(): MachineTimes {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system, steal: steal ?? 0 };
}

/** utime + stime of a process, in ticks; 0 when it is gone. */
export function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function processRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface LoadSample {
  /** CPU (in cores) used by processes that are not the bench's, during the window. */
  backgroundCores: number;
  /** CPU (in cores) used by the bench's own processes: orchestrator, Redis, service, baselines, clients. */
  benchCores: number;
  /** CPU (in cores) the hypervisor gave to other guests. */
  stealCores: number;
  /** 1-minute load average at the end of the window. */
  loadavg1: number;
  seconds: number;
}

/**
 * Measures the machine's background load over a window: all CPU time the
 * kernel accounted minus the CPU time of the bench's own processes (start
 * them before `start` and stop them after `stop` for an exact split).
 */
export class LoadMeter {
  private machine: MachineTimes = machineTimes();
  private readonly ours = new Map<number, number>();
  private startedAt = performance.now();

  constructor(private readonly pids: () => number[]) {}

  start(): void {
    this.ours.clear();
    for (const pid of this.pids()) this.ours.set(pid, processTicks(pid));
    this.machine = machineTimes();
    this.startedAt = performance.now();
  }

  stop(): LoadSample {
    const machine = machineTimes();
    const seconds = (performance.now() - this.startedAt) / 1000;
    let ours = 0;
    for (const pid of new Set([...this.ours.keys(), ...this.pids()])) {
      ours += Math.max(0, processTicks(pid) - (this.ours.get(pid) ?? 0));
    }
    const busy = machine.busy - this.machine.busy;
    const cores = (ticks: number): number => ticks / TICKS_PER_SECOND / Math.max(seconds, 1e-3);
    return {
      backgroundCores: Math.max(0, cores(busy - ours)),
      benchCores: cores(ours),
      stealCores: cores(machine.steal - this.machine.steal),
      loadavg1: loadavg()[0],
      seconds,
    };
  }
}
