import type { AnalysisEvent } from '../core/analysis.types';
import { ProgressBar } from './progress-bar';

function event(progress: number, step: string | null): AnalysisEvent {
  const type = progress === 0 ? 'started' : 'progress';
  return { id: 'x', seq: 1, type, status: 'running', progress, step, attempt: 1, at: '' };
}

/** Back to the line's start and erase it: how each drawing begins. */
const ERASE = '\r\x1b[2K';

describe('ProgressBar', () => {
  it('redraws one line in place and ends it with a newline', () => {
    const written: string[] = [];
    const bar = new ProgressBar(
      { isTTY: true, columns: 120, write: (text) => written.push(text) },
      'stats',
    );
    bar.update(event(0, null));
    bar.update(event(50, 'histogram'));
    bar.done();
    expect(written).toHaveLength(3);
    expect(written.slice(0, 2).every((text) => text.startsWith(ERASE))).toBe(true);
    expect(written[0].slice(ERASE.length)).toMatch(
      /^stats \[░{30}\] {3}0% {2}started {2}\d+\.\d s$/,
    );
    expect(written[1].slice(ERASE.length)).toMatch(
      /^stats \[█{15}░{15}\] {2}50% {2}histogram {2}\d+\.\d s$/,
    );
    expect(written[2]).toBe('\n');
  });

  it('fits the terminal width, and writes nothing when nothing was drawn', () => {
    const written: string[] = [];
    const narrow = new ProgressBar(
      { isTTY: true, columns: 20, write: (text) => written.push(text) },
      'stats',
    );
    narrow.update(event(100, 'correlation'));
    expect(written[0].slice(ERASE.length)).toHaveLength(19);
    const unused = new ProgressBar({ isTTY: true, write: (text) => written.push(text) }, 'demo');
    unused.done();
    expect(written).toHaveLength(1);
  });
});
