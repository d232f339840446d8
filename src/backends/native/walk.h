/*
 * Pieces shared by fff.c and ufb.c: dot products of up to four samples at once, the counting sort
 * that groups samples by the node they reached, and the claiming of work by threads.
 */
#ifndef FFFB_WALK_H
#define FFFB_WALK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

/* the most samples a walk computes at once (ufb.c's blocks on AVX-512; four elsewhere) */
#define MAX_LANES 8

/*
 * out[r] = x[r] · w[r] over n floats, for r < R ≤ MAX_LANES (a compile-time constant where inlined). Per lane,
 * vector v of the row goes to one of two accumulators by its parity, the last partial vector
 * (masked) included, and the two are summed at the end: the same operations for a sample whatever R
 * and lane it is computed in.
 */
ALWAYS_INLINE void dot_rows_with(int R, int shared, const float *const *x, const float *const *w, int n, float *out) {
  vf even[MAX_LANES], odd[MAX_LANES];
  for (int r = 0; r < R; r++) even[r] = odd[r] = vsplat(0.0f);
  int m = n / VL, t = n % VL, v = 0;
  for (; v + 2 <= m; v += 2) {
    vf w0a = shared ? vload(w[0] + v * VL) : vsplat(0.0f), w0b = shared ? vload(w[0] + v * VL + VL) : vsplat(0.0f);
    for (int r = 0; r < R; r++) {
      even[r] = vfma(vload(x[r] + v * VL), shared ? w0a : vload(w[r] + v * VL), even[r]);
      odd[r] = vfma(vload(x[r] + v * VL + VL), shared ? w0b : vload(w[r] + v * VL + VL), odd[r]);
    }
  }
  if (v < m) {
    for (int r = 0; r < R; r++) even[r] = vfma(vload(x[r] + v * VL), vload(w[r] + v * VL), even[r]);
    if (t)
      for (int r = 0; r < R; r++) odd[r] = vfma(vload_n(x[r] + m * VL, t), vload_n(w[r] + m * VL, t), odd[r]);
  } else if (t) {
    for (int r = 0; r < R; r++) even[r] = vfma(vload_n(x[r] + m * VL, t), vload_n(w[r] + m * VL, t), even[r]);
  }
  for (int r = 0; r < R; r++) out[r] = vsum(even[r] + odd[r]);
}

/* dot_rows_with, each row's vectors loaded once for all lanes where every lane is at the same row (the same sums) */
ALWAYS_INLINE void dot_rows(int R, const float *const *x, const float *const *w, int n, float *out) {
  int shared = R > 1;
  for (int r = 1; r < R; r++) shared &= w[r] == w[0];
  if (shared) dot_rows_with(R, 1, x, w, n, out);
  else dot_rows_with(R, 0, x, w, n, out);
}

/*
 * Groups samples 0 .. n − 1 by key[s] (a counting sort, stable): order[] lists them group by group,
 * groups in first-seen order. cursor[] has one zero entry per key and is left zero. Where visited,
 * start and size are given, group g is key visited[g] at order positions start[g] .. + size[g].
 * Returns the number of groups.
 */
static inline int group_by_key(const int32_t *key, int n, int32_t *cursor, int32_t *order, int32_t *visited, int32_t *start, int32_t *size) {
  int groups = 0;
  for (int s = 0; s < n; s++)
    if (cursor[key[s]]++ == 0) visited[groups++] = key[s];
  for (int g = 0, at = 0; g < groups; g++) {
    int k = visited[g], c = cursor[k];
    start[g] = at;
    size[g] = c;
    cursor[k] = at;
    at += c;
  }
  for (int s = 0; s < n; s++) order[cursor[key[s]]++] = s;
  for (int g = 0; g < groups; g++) cursor[visited[g]] = 0;
  return groups;
}

/*
 * Rows a kernel streams through its vector loads, starting on 64-byte boundaries so that no load
 * straddles two cache lines: `rows` itself where it starts on one (or where a row is not a whole
 * number of lines, so that no start would keep every row on one), else a copy that does. Node's
 * and Deno's large ArrayBuffers start 16 bytes past one (Bun's on one): read there, every load of
 * a row costs two, and the walk ran 1.3-1.45x slower (UltraFastBERT's d = 11 and the MNIST-shape
 * FFF on an AVX-512 Xeon). *copy owns the copy (NULL where none was made) and *copied counts its
 * bytes. NULL when out of memory.
 */
static inline const float *aligned_rows(const float *rows, size_t count, int floats, float **copy, size_t *copied) {
  size_t bytes = count * (size_t)floats * 4;
  *copy = NULL;
  if ((uintptr_t)rows % 64 == 0 || (size_t)floats * 4 % 64 != 0 || bytes == 0) return rows;
  *copy = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!*copy) return NULL;
  memcpy(*copy, rows, bytes);
  *copied += bytes;
  return *copy;
}

/* Asks the cache for bytes [p, p + bytes) ahead of their use (rows read in an order no prefetcher guesses). */
static inline void prefetch_bytes(const void *p, size_t bytes) {
  const char *c = p;
  for (size_t at = 0; at < bytes; at += 64) __builtin_prefetch(c + at, 0, 3);
}

/*
 * Asks for the input rows of the block after the one at `at` (blocks of `lanes` samples, up to
 * `end`) while this block is walked: rows at + lanes .. of the batch where `order` is NULL (the
 * first phase, in batch order), else the rows order[at + lanes ..] (the second phase, sorted).
 */
static inline void prefetch_next_block(const float *x, int i, const int32_t *order, int at, int end, int lanes) {
  int n = end - at - lanes < lanes ? end - at - lanes : lanes;
  if (n <= 0) return;
  if (!order) prefetch_bytes(x + (size_t)(at + lanes) * i, (size_t)n * i * 4);
  else
    for (int r = at + lanes; r < at + lanes + n; r++) prefetch_bytes(x + (size_t)order[r] * i, (size_t)i * 4);
}

/* Samples per unit of work: up to `most`, fewer for a small batch so that every thread gets several units (a multiple of 4). */
static inline int chunk_rows(int batch, int threads, int most) {
  int c = batch / (threads * 8) / 4 * 4;
  return c < 4 ? 4 : c > most ? most : c;
}

/* The next unit of work of a phase (units claimed in order by every thread), or −1 when none is left. */
static inline int claim(atomic_int *next, int units) {
  int u = atomic_fetch_add_explicit(next, 1, memory_order_relaxed);
  return u < units ? u : -1;
}

#endif
