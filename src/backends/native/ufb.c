/*
 * UltraFastBERT's tree (model 'ufb'): per sample, at each of the D + 1 levels a = nodeIn[k]·x,
 * y += act(a)·nodeOut[k], then go right iff a ≥ 0 (src/model/weights.ts). In the FFF's two phases
 * (fff.c), as the wasm kernels run it (src/backends/wasm/ufb.ts):
 *
 * 1. every thread claims chunks of the batch in order and walks their samples through the top
 *    levels, WALK_LANES at a time, keeping each level's score a in a table (D + 1 floats a
 *    sample) and the node reached (its bucket);
 * 2. the calling thread sorts the batch by bucket (counting sort); every thread claims chunks of the
 *    sorted positions, walks their samples the rest of the way (a subtree's rows read from memory
 *    once for its samples) and writes each sample's output once: act of its D + 1 scores (a block
 *    of four samples' scores at once) times the rows of its path, summed in registers a chunk of
 *    columns at a time, and stored with non-temporal stores when the output is large
 *    (STREAM_FROM_BYTES).
 *
 * A batch under TWO_PHASE_FROM_BATCH is walked whole in the first phase, which then writes the outputs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "pool.h"
#include "walk.h"

/* the most samples per unit of work in the two phases (chunk_rows) */
#define CHUNK_ROWS 64
/*
 * samples walked at once: eight where AVX-512's 32 registers hold their sixteen sums (a top row
 * read once for more of them, more independent work at each level: the walks of d = 11, batch
 * 16384 4-9% faster than with four), four elsewhere (AVX2's 16 registers would spill)
 */
#if defined(__AVX512F__)
#define WALK_LANES 8
#else
#define WALK_LANES 4
#endif
/* output columns summed at once, a sample: vectors in registers (four samples at once) */
#if defined(__AVX512F__) || defined(__aarch64__)
#define OUT_VECTORS 4
#else
#define OUT_VECTORS 2
#endif
/* the deepest tree a kernel takes: D + 1 scores a sample on the stack */
#define MAX_LEVELS 32

struct ufb_kernel {
  ufb_params p;
  int levels, top, stream, chunk;
  /* the rows the walk and the outputs read: the weights' own arrays, or copies on 64-byte boundaries (aligned_rows) */
  const float *node_in, *node_out;
  float *node_in_copy, *node_out_copy;
  size_t copied;
  /* batch × levels: each sample's score at each level */
  float *score;
  /* per sample: its bucket after the first phase */
  int32_t *node;
  int32_t *order, *cursor, *visited, *gstart, *gsize;
  const float *x;
  pool *pool;
  atomic_int next;
};

/* R samples from heap nodes node[] through levels from .. to − 1, each level's score into their rows of the table. */
ALWAYS_INLINE void walk_rows(int R, const ufb_kernel *k, const int32_t *s, const float *const *x, int32_t *node, int from, int to) {
  const int i = k->p.i, levels = k->levels;
  for (int level = from; level < to; level++) {
    const float *w[WALK_LANES];
    float a[WALK_LANES];
    for (int r = 0; r < R; r++) w[r] = k->node_in + (size_t)node[r] * i;
    /* one sample alone (a small batch): both children's input rows, and this node's output row, asked
       for while this level's input row is read, so the walk does not wait a memory latency per level */
    if (R == 1) {
      if (level + 1 < k->levels) prefetch_bytes(k->node_in + (2 * (size_t)node[0] + 1) * i, 2 * (size_t)i * 4);
      prefetch_bytes(k->node_out + (size_t)node[0] * k->p.o, (size_t)k->p.o * 4);
    }
    dot_rows(R, x, w, i, a);
    for (int r = 0; r < R; r++) {
      k->score[(size_t)s[r] * levels + level] = a[r];
      node[r] = 2 * node[r] + (a[r] >= 0.0f ? 2 : 1);
    }
  }
}

/*
 * The outputs of R samples: y_r = Σ over levels of act(a_r,level) · nodeOut[r's node at that level],
 * `reached` the heap node one level below the tree (the node at level l is
 * ((reached + 1) >> (levels − l)) − 1), summed in registers a chunk of columns at a time and stored
 * once. Where every lane is at the same node at a level (the top levels of samples of one bucket),
 * the row's vectors are loaded once for all of them: the rows come from L2, and this halves what the
 * outputs read there. Each output is 0, then one fused multiply-add per level in order: the same
 * bits whatever lanes a sample shares a block with.
 */
ALWAYS_INLINE void output_rows(int R, const ufb_kernel *k, const int32_t *s, const int32_t *reached) {
  const int o = k->p.o, levels = k->levels;
  /* sample r's level l at h[r · levels + l], so that act runs over the block's R · levels scores
     at once (three vectors for four samples of 12 levels, not eight: GELU's division and exp) */
  float h[4 * MAX_LEVELS];
  const float *row[4][MAX_LEVELS];
  int shared[MAX_LEVELS];
  float *y[4];
  for (int r = 0; r < R; r++) memcpy(h + r * levels, k->score + (size_t)s[r] * levels, (size_t)levels * 4);
  act_in_place(h, R * levels, k->p.act);
  for (int r = 0; r < R; r++) {
    for (int l = 0; l < levels; l++) row[r][l] = k->node_out + (size_t)(((reached[r] + 1) >> (levels - l)) - 1) * o;
    y[r] = k->p.y + (size_t)s[r] * o;
  }
  for (int l = 0; l < levels; l++) {
    shared[l] = 1;
    for (int r = 1; r < R; r++) shared[l] &= row[r][l] == row[0][l];
  }
  int c = 0;
  for (; c + OUT_VECTORS * VL <= o; c += OUT_VECTORS * VL) {
    vf acc[4][OUT_VECTORS];
    for (int r = 0; r < R; r++)
      for (int v = 0; v < OUT_VECTORS; v++) acc[r][v] = vsplat(0.0f);
    for (int l = 0; l < levels; l++) {
      if (shared[l]) {
        vf w[OUT_VECTORS];
        for (int v = 0; v < OUT_VECTORS; v++) w[v] = vload(row[0][l] + c + v * VL);
        for (int r = 0; r < R; r++) {
          vf hv = vsplat(h[r * levels + l]);
          for (int v = 0; v < OUT_VECTORS; v++) acc[r][v] = vfma(hv, w[v], acc[r][v]);
        }
      } else {
        for (int r = 0; r < R; r++) {
          vf hv = vsplat(h[r * levels + l]);
          for (int v = 0; v < OUT_VECTORS; v++) acc[r][v] = vfma(hv, vload(row[r][l] + c + v * VL), acc[r][v]);
        }
      }
    }
    for (int r = 0; r < R; r++)
      for (int v = 0; v < OUT_VECTORS; v++) {
        if (k->stream) vstream(y[r] + c + v * VL, acc[r][v]);
        else vstore(y[r] + c + v * VL, acc[r][v]);
      }
  }
  for (; c < o; c += VL) {
    int n = o - c < VL ? o - c : VL;
    vf acc[4];
    for (int r = 0; r < R; r++) acc[r] = vsplat(0.0f);
    for (int l = 0; l < levels; l++)
      for (int r = 0; r < R; r++) acc[r] = vfma(vsplat(h[r * levels + l]), n == VL ? vload(row[r][l] + c) : vload_n(row[r][l] + c, n), acc[r]);
    for (int r = 0; r < R; r++) {
      if (n < VL) vstore_n(y[r] + c, acc[r], n);
      else if (k->stream) vstream(y[r] + c, acc[r]);
      else vstore(y[r] + c, acc[r]);
    }
  }
}

static void output_rows_1(const ufb_kernel *k, const int32_t *s, const int32_t *reached) { output_rows(1, k, s, reached); }
static void output_rows_2(const ufb_kernel *k, const int32_t *s, const int32_t *reached) { output_rows(2, k, s, reached); }
static void output_rows_3(const ufb_kernel *k, const int32_t *s, const int32_t *reached) { output_rows(3, k, s, reached); }
static void output_rows_4(const ufb_kernel *k, const int32_t *s, const int32_t *reached) { output_rows(4, k, s, reached); }
static void (*const OUTPUT_ROWS[4])(const ufb_kernel *, const int32_t *, const int32_t *) = {output_rows_1, output_rows_2, output_rows_3, output_rows_4};

/*
 * The outputs of samples s[0 .. n) (n ≤ CHUNK_ROWS), grouped first by the node reached (a counting
 * sort on its low bits: the samples of one bucket differ only there), so that a block of four
 * shares most of its path.
 */
static void outputs(const ufb_kernel *k, const int32_t *s, const int32_t *reached, int n) {
  enum { KEYS = 64 };
  int count[KEYS] = {0};
  int32_t sorted[CHUNK_ROWS], node[CHUNK_ROWS];
  for (int a = 0; a < n; a++) count[reached[a] & (KEYS - 1)]++;
  for (int key = 0, at = 0; key < KEYS; key++) {
    int c = count[key];
    count[key] = at;
    at += c;
  }
  for (int a = 0; a < n; a++) {
    int at = count[reached[a] & (KEYS - 1)]++;
    sorted[at] = s[a];
    node[at] = reached[a];
  }
  for (int at = 0; at < n; at += 4) OUTPUT_ROWS[(n - at < 4 ? n - at : 4) - 1](k, sorted + at, node + at);
}

enum { FIRST_PHASE, SECOND_PHASE };

/*
 * R samples through one phase of the walk: the first from the root through the top levels (leaving
 * each sample's bucket in k->node when the walk goes on), the second from its bucket through the
 * rest. Where the walk ends, the heap node one level below the tree goes to reached[].
 */
ALWAYS_INLINE void walk_block(int R, ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) {
  const float *x[WALK_LANES];
  int32_t node[WALK_LANES];
  for (int r = 0; r < R; r++) x[r] = k->x + (size_t)s[r] * k->p.i;
  const int bucket0 = (1 << k->top) - 1;
  if (phase == FIRST_PHASE) {
    for (int r = 0; r < R; r++) node[r] = 0;
    walk_rows(R, k, s, x, node, 0, k->top);
    if (k->top < k->levels) {
      for (int r = 0; r < R; r++) k->node[s[r]] = node[r] - bucket0;
      return;
    }
  } else {
    for (int r = 0; r < R; r++) node[r] = k->node[s[r]] + bucket0;
    walk_rows(R, k, s, x, node, k->top, k->levels);
  }
  for (int r = 0; r < R; r++) reached[r] = node[r];
}

static void walk_block_1(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(1, k, s, phase, reached); }
static void walk_block_2(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(2, k, s, phase, reached); }
static void walk_block_3(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(3, k, s, phase, reached); }
static void walk_block_4(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(4, k, s, phase, reached); }
#if WALK_LANES == 8
static void walk_block_5(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(5, k, s, phase, reached); }
static void walk_block_6(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(6, k, s, phase, reached); }
static void walk_block_7(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(7, k, s, phase, reached); }
static void walk_block_8(ufb_kernel *k, const int32_t *s, int phase, int32_t *reached) { walk_block(8, k, s, phase, reached); }
static void (*const WALK_BLOCK[8])(ufb_kernel *, const int32_t *, int, int32_t *) = {walk_block_1, walk_block_2, walk_block_3, walk_block_4,
                                                                                      walk_block_5, walk_block_6, walk_block_7, walk_block_8};
#else
static void (*const WALK_BLOCK[4])(ufb_kernel *, const int32_t *, int, int32_t *) = {walk_block_1, walk_block_2, walk_block_3, walk_block_4};
#endif

static void first_phase(void *arg, int thread) {
  (void)thread;
  ufb_kernel *k = arg;
  const int batch = k->p.batch, units = (batch + k->chunk - 1) / k->chunk;
  int32_t s[CHUNK_ROWS], reached[CHUNK_ROWS];
  for (int u; (u = claim(&k->next, units)) >= 0;) {
    int first = u * k->chunk, end = (u + 1) * k->chunk < batch ? (u + 1) * k->chunk : batch;
    for (int at = first; at < end; at += WALK_LANES) {
      int q = end - at < WALK_LANES ? end - at : WALK_LANES;
      for (int r = 0; r < q; r++) s[at - first + r] = at + r;
      prefetch_next_block(k->x, k->p.i, NULL, at, end, WALK_LANES);
      WALK_BLOCK[q - 1](k, s + at - first, FIRST_PHASE, reached + at - first);
    }
    /* a batch walked whole in this phase: its outputs now */
    if (k->top == k->levels) outputs(k, s, reached, end - first);
  }
  stream_fence();
}

static void second_phase(void *arg, int thread) {
  (void)thread;
  ufb_kernel *k = arg;
  const int batch = k->p.batch, units = (batch + k->chunk - 1) / k->chunk;
  int32_t s[CHUNK_ROWS], reached[CHUNK_ROWS];
  for (int u; (u = claim(&k->next, units)) >= 0;) {
    int first = u * k->chunk, end = (u + 1) * k->chunk < batch ? (u + 1) * k->chunk : batch;
    memcpy(s, k->order + first, (size_t)(end - first) * 4);
    for (int at = first; at < end; at += WALK_LANES) {
      int q = end - at < WALK_LANES ? end - at : WALK_LANES;
      prefetch_next_block(k->x, k->p.i, k->order, at, end, WALK_LANES);
      WALK_BLOCK[q - 1](k, s + at - first, SECOND_PHASE, reached + at - first);
    }
    outputs(k, s, reached, end - first);
  }
  stream_fence();
}

static void run_phase(ufb_kernel *k, pool_task task) {
  atomic_store_explicit(&k->next, 0, memory_order_relaxed);
  if (k->pool) pool_run(k->pool, task, k);
  else task(k, 0);
}

void ufb_run(ufb_kernel *k, const float *x) {
  k->x = x;
  run_phase(k, first_phase);
  if (k->top == k->levels) return;
  group_by_key(k->node, k->p.batch, k->cursor, k->order, k->visited, k->gstart, k->gsize);
  run_phase(k, second_phase);
}

void ufb_free(ufb_kernel *k) {
  if (!k) return;
  pool_stop(k->pool);
  free(k->node_in_copy);
  free(k->node_out_copy);
  free(k->score);
  free(k->node);
  free(k->order);
  free(k->cursor);
  free(k->visited);
  free(k->gstart);
  free(k->gsize);
  free(k);
}

ufb_kernel *ufb_prepare(const ufb_params *p, char *why) {
  if (p->depth + 1 > MAX_LEVELS) {
    snprintf(why, 200, "UltraFastBERT's tree of depth %d: the native kernel takes depths up to %d", p->depth, MAX_LEVELS - 1);
    return NULL;
  }
  ufb_kernel *k = calloc(1, sizeof *k);
  if (!k) goto oom;
  k->p = *p;
  const int batch = p->batch;
  k->levels = p->depth + 1;
  k->chunk = chunk_rows(batch, p->threads, CHUNK_ROWS);
  k->top = top_levels(p->i, k->levels, batch, p->top);
  k->stream = HAS_STREAM && p->o % VL == 0 && (uintptr_t)p->y % 64 == 0 && (size_t)batch * p->o * 4 >= STREAM_FROM_BYTES;
  k->score = calloc((size_t)batch * k->levels, 4);
  k->node = calloc((size_t)batch, 4);
  k->order = calloc((size_t)batch, 4);
  k->cursor = calloc((size_t)1 << k->top, 4);
  k->visited = calloc((size_t)batch, 4);
  k->gstart = calloc((size_t)batch, 4);
  k->gsize = calloc((size_t)batch, 4);
  if (!k->score || !k->node || !k->order || !k->cursor || !k->visited || !k->gstart || !k->gsize) goto oom;
  const size_t nodes = ((size_t)2 << p->depth) - 1;
  k->node_in = aligned_rows(p->node_in, nodes, p->i, &k->node_in_copy, &k->copied);
  k->node_out = aligned_rows(p->node_out, nodes, p->o, &k->node_out_copy, &k->copied);
  if (!k->node_in || !k->node_out) goto oom;
  if (p->threads > 1) {
    k->pool = pool_start(p->threads, p->spin_micros, why);
    if (!k->pool) {
      ufb_free(k);
      return NULL;
    }
  }
  return k;
oom:
  snprintf(why, 200, "out of memory preparing UltraFastBERT's tree (batch %d, depth %d)", p->batch, p->depth);
  ufb_free(k);
  return NULL;
}

kernel_facts ufb_facts(const ufb_kernel *k) {
  kernel_facts f = {k->pool ? pool_threads(k->pool) : 1, k->top, 0, k->stream, k->copied};
  return f;
}

int top_levels(int i, int levels, int batch, int forced) {
  if (forced >= 0) return forced < levels ? forced : levels;
  if (batch < TWO_PHASE_FROM_BATCH) return levels;
  int top = 0;
  while (top < levels && ((2LL << top) - 1) * i * 4 <= TOP_TREE_BYTES) top++;
  return top;
}
