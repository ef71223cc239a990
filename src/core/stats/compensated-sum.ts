// Bound once: a global lookup per term is slow in vm contexts such as Jest's.
const { abs } = Math;

/**
 * Neumaier's (Kahan–Babuška) summation: the error stays within about one rounding of the exact
 * total, whatever the number and order of the terms, where a plain sum's grows with their count.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(term: number): void {
    const total = this.sum + term;
    this.compensation +=
      abs(this.sum) >= abs(term) ? this.sum - total + term : term - total + this.sum;
    this.sum = total;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}
