import type { AnalysisEvent } from '../core/analysis.types';

/** What the bar writes to: stderr, or a fake of it in tests. */
export interface TerminalStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const WIDTH = 30;

/** One line on a terminal, redrawn in place at each event: `[█████░░░░░]  50%  step_one  1.2 s`. */
export class ProgressBar {
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: TerminalStream,
    private readonly label: string,
  ) {}

  update(event: AnalysisEvent): void {
    const filled = Math.round((event.progress / 100) * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const percent = `${Math.floor(event.progress)}%`.padStart(4);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const line = `${this.label} [${bar}] ${percent}  ${event.step ?? event.type}  ${seconds} s`;
    // A pseudo-terminal may report 0 columns.
    const columns = this.stream.columns || 80;
    // \r and "erase line": the next draw replaces this one.
    this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    this.drawn = true;
  }

  /** Leaves the last drawing on its own line. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
  }
}
