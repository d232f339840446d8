/**
 * Activations shared by the float64 reference and the backends.
 *
 * GELU is the exact form x·Φ(x) = x/2·(1 + erf(x/√2)), as PyTorch's default and ONNX's Gelu:
 * the tanh approximation differs by up to ~1e-3, far above float32 tolerance, so every
 * backend must compute the same exact function.
 */
export const ACTIVATIONS = ['relu', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** erf to ~1e-15: Maclaurin series near zero, continued fraction for erfc in the tails. */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π · Σ (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated bottom-up
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export function gelu64(x: number): number {
  return 0.5 * x * (1 + erf64(x / Math.SQRT2));
}

export function relu(x: number): number {
  return x > 0 ? x : 0;
}

/**
 * erf for float32 backends: Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), cheap enough
 * for inner loops and within float32 tolerance of the reference.
 */
export function erf32(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = x < 0 ? -x : x;
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return sign * y;
}

export function gelu32(x: number): number {
  return 0.5 * x * (1 + erf32(x * Math.SQRT1_2));
}

export function activation64(name: Activation): (x: number) => number {
  return name === 'relu' ? relu : gelu64;
}
