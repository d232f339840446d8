/**
 * The hand-written distributions that gate the nightly job, against published values: Student's t
 * quantiles (the two-sided 95% and 99% rows of any t table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2),
 * the regularized incomplete beta through closed forms it must meet, and Mann–Whitney's exact
 * small-sample critical values (two-sided α = 0.05 and 0.01: the largest U with 2·P(U ≤ u) ≤ α,
 * as tabulated by Mann & Whitney 1947 and in Siegel's Nonparametric Statistics, table K).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incompleteBeta, mannWhitneyExactCdf, mannWhitneyU, studentTCdf, studentTQuantile } from '../../src/measure/stats.ts';

/** Equal to 4 significant digits. */
function assertSignificant(actual: number, expected: number, what: string): void {
  const digits = 4;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(expected))) - digits + 1);
  assert.equal(Math.round(actual / scale), Math.round(expected / scale), `${what}: ${actual} against ${expected}`);
}

describe("Student's t against a published table", () => {
  const table: [df: number, t975: number, t995: number][] = [
    [1, 12.706, 63.657],
    [2, 4.303, 9.925],
    [3, 3.182, 5.841],
    [4, 2.776, 4.604],
    [5, 2.571, 4.032],
    [10, 2.228, 3.169],
    [20, 2.086, 2.845],
    [30, 2.042, 2.75],
    [100, 1.984, 2.626],
  ];
  for (const [df, t975, t995] of table) {
    it(`df = ${df}: t(0.975) = ${t975}, t(0.995) = ${t995}`, () => {
      assertSignificant(studentTQuantile(0.975, df), t975, 't(0.975)');
      assertSignificant(studentTQuantile(0.995, df), t995, 't(0.995)');
      assertSignificant(studentTCdf(t975, df), 0.975, 'the CDF at the 97.5% point');
      assertSignificant(studentTQuantile(0.025, df), -t975, 'the lower quantile');
    });
  }
  it('df = 1 is the Cauchy distribution: P(T ≤ t) = 1/2 + atan(t)/π', () => {
    for (const t of [-3, -0.5, 0.25, 1, 7]) assertSignificant(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, `t = ${t}`);
  });
});

describe('regularized incomplete beta against closed forms', () => {
  it('I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b', () => {
    for (const x of [0.05, 0.3, 0.5, 0.9]) {
      for (const a of [0.5, 2, 7.5]) assertSignificant(incompleteBeta(x, a, 1), x ** a, `I_${x}(${a}, 1)`);
      for (const b of [0.5, 3, 12]) assertSignificant(incompleteBeta(x, 1, b), 1 - (1 - x) ** b, `I_${x}(1, ${b})`);
    }
  });
  it('I_x(½, ½) = (2/π)·asin(√x), the arcsine distribution', () => {
    for (const x of [0.01, 0.2, 0.5, 0.77, 0.99]) assertSignificant(incompleteBeta(x, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)), `I_${x}(½, ½)`);
  });
  it('whole a, b: I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a)', () => {
    const choose = (n: number, k: number) => {
      let c = 1;
      for (let j = 1; j <= k; j++) c = (c * (n - k + j)) / j;
      return c;
    };
    for (const [x, a, b] of [
      [0.4, 2, 3],
      [0.5, 5, 5],
      [0.1, 1, 20],
      [0.73, 8, 2],
      [0.25, 10, 30],
    ] as const) {
      const n = a + b - 1;
      let tail = 0;
      for (let k = a; k <= n; k++) tail += choose(n, k) * x ** k * (1 - x) ** (n - k);
      assertSignificant(incompleteBeta(x, a, b), tail, `I_${x}(${a}, ${b})`);
    }
    assert.equal(incompleteBeta(0.4, 2, 3).toFixed(4), '0.5248'); // 1 − 0.6⁴ − 4·0.4·0.6³
  });
  it('symmetry: I_x(a, b) = 1 − I_(1−x)(b, a)', () => {
    for (const [x, a, b] of [
      [0.3, 2.5, 1.5],
      [0.8, 0.7, 4.2],
      [0.5, 12, 0.5],
    ] as const) {
      assertSignificant(incompleteBeta(x, a, b), 1 - incompleteBeta(1 - x, b, a), `I_${x}(${a}, ${b})`);
    }
  });
});

describe("Mann–Whitney's exact small-sample distribution", () => {
  // published two-sided critical values: [n1, n2, U at α = 0.05, U at α = 0.01 (null: none exists)]
  const critical: [number, number, number, number | null][] = [
    [4, 4, 0, null],
    [5, 5, 2, 0],
    [5, 10, 8, 4],
    [6, 6, 5, 2],
    [7, 7, 8, 4],
    [8, 8, 13, 7],
    [10, 10, 23, 16],
    [20, 20, 127, 105],
  ];
  const largestRejected = (n1: number, n2: number, alpha: number) => {
    let u = -1;
    while (u + 1 <= n1 * n2 && 2 * mannWhitneyExactCdf(n1, n2, u + 1) <= alpha) u++;
    return u < 0 ? null : u;
  };
  for (const [n1, n2, at05, at01] of critical) {
    it(`n1 = ${n1}, n2 = ${n2}: critical U ${at05} at 0.05, ${at01 ?? 'none'} at 0.01`, () => {
      assert.equal(largestRejected(n1, n2, 0.05), at05);
      assert.equal(largestRejected(n1, n2, 0.01), at01);
    });
  }
  it('P(U = 0) for 3 and 3 is 1/C(6, 3) = 0.05; the distribution is symmetric about n1·n2/2', () => {
    assertSignificant(mannWhitneyExactCdf(3, 3, 0), 0.05, 'P(U ≤ 0)');
    for (const u of [0, 3, 7, 11]) assertSignificant(mannWhitneyExactCdf(6, 4, u), 1 - mannWhitneyExactCdf(6, 4, 24 - u - 1), `U ≤ ${u}`);
  });
  it('mannWhitneyU uses it without ties: two separated samples of 5 give p = 2/252', () => {
    const { u, p } = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    assert.equal(u, 0);
    assertSignificant(p, 2 / 252, 'p');
    // with a tie the normal approximation (tie-corrected) is used instead: p above the exact one
    assert.ok(mannWhitneyU([1, 2, 3, 4, 6], [6, 7, 8, 9, 10]).p > 2 / 252);
  });
});
