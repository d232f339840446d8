/*
 * out_r = bias + a_r · B for a few rows r (a leaf's samples): the FFF's wide leaves (fff.c), both
 * layers. B is row-major K × N, read in place (a leaf's W1 is i × ℓ, its W2 ℓ × o: src/model/weights.ts).
 * Up to 4 rows at once, each B vector loaded once for all of them, columns in chunks of up to 4
 * vectors held in registers over the whole K. Every output element is bias, then one fused
 * multiply-add per k in order, whatever the rows beside it and the chunk it falls in: the same bits
 * whichever thread and group a sample is computed in.
 */
#ifndef FFFB_GEMM_H
#define FFFB_GEMM_H

#include <stddef.h>

#include "simd.h"

/* Accumulator registers a chunk may use: 32 vector registers (AVX-512, NEON) or 16 (AVX2, generic). */
#if defined(__AVX512F__) || defined(__aarch64__)
#define ACC_REGS 16
#else
#define ACC_REGS 8
#endif
#define MAX_CHUNK_VECTORS 4

ALWAYS_INLINE void rows_chunk(int R, int CV, int P, int tail, int K, const float *const *a, const float *B, int ldb, const float *bias, float *const *out, int c0, int stream) {
  vf acc[4][MAX_CHUNK_VECTORS];
  B += c0;
  bias += c0;
  for (int v = 0; v < CV; v++) {
    vf b = (P && v == CV - 1) ? vload_n(bias + v * VL, tail) : vload(bias + v * VL);
    for (int r = 0; r < R; r++) acc[r][v] = b;
  }
  for (int k = 0; k < K; k++) {
    const float *row = B + (size_t)k * ldb;
    vf w[MAX_CHUNK_VECTORS];
    for (int v = 0; v < CV; v++) w[v] = (P && v == CV - 1) ? vload_n(row + v * VL, tail) : vload(row + v * VL);
    for (int r = 0; r < R; r++) {
      vf xa = vsplat(a[r][k]);
      for (int v = 0; v < CV; v++) acc[r][v] = vfma(xa, w[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < CV; v++) {
      float *d = out[r] + c0 + v * VL;
      if (P && v == CV - 1) vstore_n(d, acc[r][v], tail);
      else if (stream) vstream(d, acc[r][v]);
      else vstore(d, acc[r][v]);
    }
}

typedef void (*rows_chunk_fn)(int tail, int K, const float *const *a, const float *B, int ldb, const float *bias, float *const *out, int c0, int stream);

#define ROWS_CHUNK(R, CV, P)                                                                                                                  \
  static void rows_chunk_##R##_##CV##_##P(int tail, int K, const float *const *a, const float *B, int ldb, const float *bias, float *const *out, int c0, \
                                          int stream) {                                                                                       \
    rows_chunk(R, CV, P, tail, K, a, B, ldb, bias, out, c0, stream);                                                                         \
  }
#define ROWS_CHUNKS(R) ROWS_CHUNK(R, 1, 0) ROWS_CHUNK(R, 1, 1) ROWS_CHUNK(R, 2, 0) ROWS_CHUNK(R, 2, 1) ROWS_CHUNK(R, 3, 0) ROWS_CHUNK(R, 3, 1) ROWS_CHUNK(R, 4, 0) ROWS_CHUNK(R, 4, 1)
ROWS_CHUNKS(1)
ROWS_CHUNKS(2)
ROWS_CHUNKS(3)
ROWS_CHUNKS(4)
#define ROWS_CHUNK_ENTRIES(R)                                                                                                                  \
  {{rows_chunk_##R##_1_0, rows_chunk_##R##_1_1}, {rows_chunk_##R##_2_0, rows_chunk_##R##_2_1}, {rows_chunk_##R##_3_0, rows_chunk_##R##_3_1}, \
   {rows_chunk_##R##_4_0, rows_chunk_##R##_4_1}}
static const rows_chunk_fn ROWS_CHUNK_TABLE[4][MAX_CHUNK_VECTORS][2] = {ROWS_CHUNK_ENTRIES(1), ROWS_CHUNK_ENTRIES(2), ROWS_CHUNK_ENTRIES(3), ROWS_CHUNK_ENTRIES(4)};

/* out_r[c] = bias[c] + a_r[0 .. K) · B[.., c] for columns c in [begin, end) (B: K rows, row stride ldb), r < R ≤ 4; begin a multiple of VL */
static inline void gemm_rows(int R, int K, int begin, int end, const float *const *a, const float *B, int ldb, const float *bias, float *const *out, int stream) {
  int most = ACC_REGS / R < MAX_CHUNK_VECTORS ? ACC_REGS / R : MAX_CHUNK_VECTORS;
  for (int c0 = begin; c0 < end;) {
    int left = (end - c0 + VL - 1) / VL;
    int cv = left < most ? left : most;
    int part = end - c0 < cv * VL;
    int tail = part ? end - c0 - (cv - 1) * VL : VL;
    ROWS_CHUNK_TABLE[R - 1][cv - 1][part](tail, K, a, B, ldb, bias, out, c0, stream);
    c0 += cv * VL;
  }
}

#endif
