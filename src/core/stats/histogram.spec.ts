import { histogram } from './histogram';

describe('histogram', () => {
  it('puts values on interior edges in the bin to their right, and max in the last bin', () => {
    // edges 0, 2.5, 5, 7.5, 10: [0, 2.5) holds 0 and 1; [5, 7.5) holds 5; [7.5, 10] holds 7.5 and 10.
    expect(histogram(Float64Array.of(0, 1, 2.5, 5, 7.5, 10, 10), 4)).toEqual({
      edges: [0, 2.5, 5, 7.5, 10],
      counts: [2, 1, 1, 3],
    });
  });

  it('computes edges as numpy.linspace does, the last one exactly max', () => {
    // edge i = min + i·((max − min)/bins): 0.1 + 2·(0.2/3) is not 0.1 + 0.4/3 to the last bit.
    const { edges, counts } = histogram(Float64Array.of(0.1, 0.2, 0.3), 3);
    const width = (0.3 - 0.1) / 3;
    expect(edges).toEqual([0.1, 0.1 + width, 0.1 + 2 * width, 0.3]);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(3);
  });

  it('has empty bins where no value falls', () => {
    expect(histogram(Float64Array.of(1, 1, 4), 3).counts).toEqual([2, 0, 1]);
  });

  it('gives a constant column one bin with edges [v, v]', () => {
    expect(histogram(Float64Array.of(3, 3, 3), 20)).toEqual({ edges: [3, 3], counts: [3] });
  });

  it('has one bin spanning min to max when asked for one', () => {
    expect(histogram(Float64Array.of(-1, 0, 2), 1)).toEqual({ edges: [-1, 2], counts: [3] });
  });
});
