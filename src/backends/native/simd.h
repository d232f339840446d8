/*
 * The vector ISA the addon is compiled for, chosen by the compiler's predefined macros (the build
 * compiles with -march=native): AVX-512 (16 floats), AVX2 with FMA (8), NEON on aarch64 (4), else
 * portable 4-float GCC/Clang vectors ("scalar": no explicit ISA, no FMA; the compiler lowers them).
 *
 * Every kernel is written on `vf` (VL floats) with the operators of GCC/Clang vector extensions and
 * the few operations below. Multiply-adds are explicit (vfma: one rounding where the ISA has FMA):
 * the build passes -ffp-contract=off, so the compiler fuses nothing on its own and every sample meets
 * the same arithmetic whichever code path, lane or thread computes it (bit-identical outputs at
 * every thread count).
 */
#ifndef FFFB_SIMD_H
#define FFFB_SIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define VL 16
#define FFFB_ISA "avx512f"
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define VL 8
#define FFFB_ISA "avx2+fma"
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define VL 4
#define FFFB_ISA "neon"
#else
#define VL 4
#define FFFB_ISA "scalar"
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));

ALWAYS_INLINE vf vload(const float *p) {
  vf v;
  memcpy(&v, p, sizeof v);
  return v;
}

ALWAYS_INLINE void vstore(float *p, vf v) { memcpy(p, &v, sizeof v); }

/* bits of a where m is all ones, else bits of b */
ALWAYS_INLINE vf vselect(vi m, vf a, vf b) { return (vf)((m & (vi)a) | (~m & (vi)b)); }

/*
 * x in every lane: one broadcast, written per ISA because the portable (vf){0} + x compiles to an
 * add and then a broadcast (0 + x is not x for x = −0, and nothing here is fast-math): an extra
 * add and shuffle per sample and level in ufb.c's outputs, about 10% of that loop.
 */
#if defined(__AVX512F__)
ALWAYS_INLINE vf vsplat(float x) { return (vf)_mm512_set1_ps(x); }
#elif defined(__AVX2__) && defined(__FMA__)
ALWAYS_INLINE vf vsplat(float x) { return (vf)_mm256_set1_ps(x); }
#elif defined(__aarch64__) && defined(__ARM_NEON)
ALWAYS_INLINE vf vsplat(float x) { return (vf)vdupq_n_f32(x); }
#else
ALWAYS_INLINE vf vsplat(float x) { return (vf){x, x, x, x}; }
#endif

#if defined(__AVX512F__)

ALWAYS_INLINE vf vload_n(const float *p, int n) { return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p); }
ALWAYS_INLINE void vstore_n(float *p, vf v, int n) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), (__m512)v); }
ALWAYS_INLINE vf vfma(vf a, vf b, vf c) { return (vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c); }
ALWAYS_INLINE float vsum(vf v) { return _mm512_reduce_add_ps((__m512)v); }
/* p 64-byte aligned */
ALWAYS_INLINE void vstream(float *p, vf v) { _mm512_stream_ps(p, (__m512)v); }
ALWAYS_INLINE void stream_fence(void) { _mm_sfence(); }
#define HAS_STREAM 1

#elif defined(__AVX2__) && defined(__FMA__)

static const int32_t fffb_tail_mask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
ALWAYS_INLINE __m256i mask_n(int n) { return _mm256_loadu_si256((const __m256i *)(fffb_tail_mask + 8 - n)); }
ALWAYS_INLINE vf vload_n(const float *p, int n) { return (vf)_mm256_maskload_ps(p, mask_n(n)); }
ALWAYS_INLINE void vstore_n(float *p, vf v, int n) { _mm256_maskstore_ps(p, mask_n(n), (__m256)v); }
ALWAYS_INLINE vf vfma(vf a, vf b, vf c) { return (vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c); }
ALWAYS_INLINE float vsum(vf v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128((__m256)v), _mm256_extractf128_ps((__m256)v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
ALWAYS_INLINE void vstream(float *p, vf v) { _mm256_stream_ps(p, (__m256)v); }
ALWAYS_INLINE void stream_fence(void) { _mm_sfence(); }
#define HAS_STREAM 1

#else

ALWAYS_INLINE vf vload_n(const float *p, int n) {
  float t[VL] = {0};
  memcpy(t, p, (size_t)n * 4);
  return vload(t);
}
ALWAYS_INLINE void vstore_n(float *p, vf v, int n) {
  float t[VL];
  vstore(t, v);
  memcpy(p, t, (size_t)n * 4);
}
#if defined(__aarch64__) && defined(__ARM_NEON)
ALWAYS_INLINE vf vfma(vf a, vf b, vf c) { return (vf)vfmaq_f32((float32x4_t)c, (float32x4_t)a, (float32x4_t)b); }
ALWAYS_INLINE float vsum(vf v) { return vaddvq_f32((float32x4_t)v); }
#else
/* no FMA: a multiply and an add, each rounded (-ffp-contract=off keeps them apart) */
ALWAYS_INLINE vf vfma(vf a, vf b, vf c) { return a * b + c; }
ALWAYS_INLINE float vsum(vf v) { return (v[0] + v[1]) + (v[2] + v[3]); }
#endif
ALWAYS_INLINE void vstream(float *p, vf v) { vstore(p, v); }
ALWAYS_INLINE void stream_fence(void) {}
#define HAS_STREAM 0

#endif

/* ---- activations on VL lanes (src/model/activation.ts; the wasm kernels' kernels/activation.wat) ---- */

enum { ACT_RELU = 0, ACT_GELU = 1 };

/*
 * exp(v) for v <= 0, inputs below -87 clamped: Cephes expf, v = n·ln2 + r with |r| <= ln2/2, exp(r)
 * by a degree-6 polynomial (relative error ~1e-7), 2^n built in the exponent bits. n is v·log2(e)
 * rounded to nearest by adding and subtracting 1.5·2^23.
 */
ALWAYS_INLINE vf vexp_nonpositive(vf v) {
  v = vselect(v < vsplat(-87.0f), vsplat(-87.0f), v);
  vf n = (v * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  vf r = v - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  vf p = vsplat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = (p * (r * r) + r) + 1.0f;
  vi bits = (__builtin_convertvector(n, vi) + 127) << 23;
  return p * (vf)bits;
}

/* erf(u): Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), as erf32 in src/model/activation.ts */
ALWAYS_INLINE vf verf(vf u) {
  vf au = (vf)((vi)u & 0x7fffffff);
  vf t = 1.0f / (1.0f + au * 0.3275911f);
  vf p = vsplat(1.061405429f);
  p = p * t + -1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t + -0.284496736f;
  p = p * t + 0.254829592f;
  p = p * t;
  p = 1.0f - p * vexp_nonpositive(-(au * au));
  /* p >= 0: or-ing in u's sign bit gives sign(u)·erf(|u|) */
  return (vf)((vi)p | ((vi)u & INT32_MIN));
}

/* GELU, exact form: x/2 · (1 + erf(x/√2)) */
ALWAYS_INLINE vf vgelu(vf x) { return (x * 0.5f) * (1.0f + verf(x * 0.70710678118654752f)); }

ALWAYS_INLINE vf vrelu(vf x) { return vselect(x > vsplat(0.0f), x, vsplat(0.0f)); }

ALWAYS_INLINE vf vact(vf x, int act) { return act == ACT_GELU ? vgelu(x) : vrelu(x); }

/* act applied in place to v[0 .. n) */
static inline void act_in_place(float *v, int n, int act) {
  int k = 0;
  for (; k + VL <= n; k += VL) vstore(v + k, vact(vload(v + k), act));
  if (k < n) vstore_n(v + k, vact(vload_n(v + k, n - k), act), n - k);
}

#endif
