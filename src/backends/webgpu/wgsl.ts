/** WGSL shared by the kernels: the activation, with GELU in its exact erf form. */
import type { Activation } from '../../model/activation.ts';

/**
 * `fn act(v: f32) -> f32`. GELU is x·Φ(x) with erf from Abramowitz & Stegun 7.1.26
 * (|error| < 1.5e-7, the same formula as erf32 in model/activation.ts) — not the tanh
 * approximation, which differs from the exact GELU by up to ~1e-3.
 */
export function activationWgsl(activation: Activation): string {
  if (activation === 'relu') return 'fn act(v: f32) -> f32 { return max(v, 0.0); }';
  return `
fn erf_as(x: f32) -> f32 {
  let ax = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign(x) * (1.0 - poly * exp(-ax * ax));
}
fn act(v: f32) -> f32 { return 0.5 * v * (1.0 + erf_as(v * 0.7071067811865476)); }`;
}

/** A WGSL u32 literal. */
export function u32(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not a u32: ${n}`);
  return `${n}u`;
}
