import { SAMPLE_COLUMNS, sampleCsv } from './sample-data';

describe('sampleCsv', () => {
  it('has a header row and the rows asked for, the same for the same seed', () => {
    const csv = sampleCsv(500);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(SAMPLE_COLUMNS.join(','));
    expect(lines).toHaveLength(501);
    expect(lines.every((line) => line.split(',').length === SAMPLE_COLUMNS.length)).toBe(true);
    expect(sampleCsv(500)).toBe(csv);
    expect(sampleCsv(500, 7)).not.toBe(csv);
  });

  it('leaves some weights missing and keeps the text column non-numeric', () => {
    const rows = sampleCsv(2_000)
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(rows.some((cells) => cells[1] === '')).toBe(true);
    expect(rows.every((cells) => /^[a-z]+$/.test(cells[5]))).toBe(true);
  });
});
