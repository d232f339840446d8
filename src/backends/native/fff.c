/*
 * FFF hard inference (model 'fff'), the wasm kernels' algorithm (src/backends/wasm/fff.ts) on native
 * vectors and threads:
 *
 * 1. every thread claims chunks of the batch in order and walks their samples through the top
 *    levels (as many as keep TOP_TREE_BYTES of node rows, all of them for a small batch), up to four
 *    samples at a time, recording the node each reached (its bucket);
 * 2. the calling thread sorts the batch by bucket (counting sort); every thread claims chunks of the
 *    sorted positions and walks their samples the rest of the way, so a subtree's node rows are read
 *    from memory once for its samples and stay in cache while they pass;
 * 3. leaves narrower than SMALL_LEAF_BELOW run where the walk ends, sample by sample while its input
 *    row is in cache: one dot product per hidden unit against W1 stored transposed (ℓ = 1: W1 as it
 *    is), nothing padded. Wider leaves: the calling thread groups the samples by leaf (counting sort)
 *    and every thread claims leaf groups (cut into items of at most ITEM_ROWS rows), each visited
 *    leaf's two layers through gemm_rows over its rows: each leaf read once per batch.
 *
 * The weights are read where the JavaScript arrays hold them. Each sample meets the same operations
 * whatever the thread count and its neighbours in a block: the outputs are bit-identical.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"
#include "walk.h"

/* the most samples per unit of work in the walk's two phases (chunk_rows), and rows per leaf item */
#define CHUNK_ROWS 16
#define ITEM_ROWS 32

struct fff_kernel {
  fff_params p;
  int top, small, stream, leaves, lpad, chunk;
  /* the node rows the walk reads: the weights' own array, or a copy on 64-byte boundaries (aligned_rows) */
  const float *node_w;
  /* small leaves: ℓ rows of i floats per leaf (W1 transposed; for ℓ = 1 W1 itself, as node_w) */
  const float *w1rows;
  /* what prepare allocated for node_w and w1rows (NULL where they are the weights' own arrays), and its bytes */
  float *node_w_copy, *w1_copy;
  size_t copied;
  /* per sample: its bucket after the first phase, its leaf after the walk */
  int32_t *node;
  /* sorted positions → samples: by bucket, then (wide leaves) by leaf */
  int32_t *order, *leaf_order;
  int32_t *cursor, *visited, *gstart, *gsize;
  /* wide leaves' work: (leaf, first position, rows) per item */
  int32_t *items;
  int nitems;
  /* per thread: 4 rows of a leaf's hidden layer */
  float *scratch;
  /* a leaf item split across the threads (split_layer): its hidden rows, which item and layer */
  float *split_h;
  int split_item, split_layer;
  const float *x;
  pool *pool;
  atomic_int next;
};

/* Walks R samples from their heap nodes through `levels` levels: right (2k + 2) iff w·x + b ≥ 0. */
ALWAYS_INLINE void walk_rows(int R, const fff_kernel *k, const float *const *x, int32_t *node, int levels) {
  const int i = k->p.i;
  for (int level = 0; level < levels; level++) {
    const float *w[4];
    float a[4];
    for (int r = 0; r < R; r++) w[r] = k->node_w + (size_t)node[r] * i;
    /* one sample alone (a small batch): both children's rows asked for while this level's is read,
       so the walk does not wait a memory latency per level */
    if (R == 1 && level + 1 < levels) prefetch_bytes(k->node_w + (2 * (size_t)node[0] + 1) * i, 2 * (size_t)i * 4);
    dot_rows(R, x, w, i, a);
    for (int r = 0; r < R; r++) node[r] = 2 * node[r] + ((a[r] + k->p.node_b[node[r]]) >= 0.0f ? 2 : 1);
  }
}

/* Small leaves (ℓ < SMALL_LEAF_BELOW) of R samples: h = act(b1 + x·W1), y = b2 + h·W2. */
ALWAYS_INLINE void small_leaves(int R, const fff_kernel *k, const int32_t *s, const float *const *x, const int32_t *leaf) {
  const int i = k->p.i, o = k->p.o, l = k->p.l;
  float h[4][SMALL_LEAF_BELOW];
  for (int j = 0; j < l; j++) {
    const float *w[4];
    float a[4];
    for (int r = 0; r < R; r++) w[r] = k->w1rows + ((size_t)leaf[r] * l + j) * i;
    dot_rows(R, x, w, i, a);
    for (int r = 0; r < R; r++) h[r][j] = a[r] + k->p.b1[(size_t)leaf[r] * l + j];
  }
  for (int r = 0; r < R; r++) {
    act_in_place(h[r], l, k->p.act);
    float *y = k->p.y + (size_t)s[r] * o;
    const float *b2 = k->p.b2 + (size_t)leaf[r] * o;
    const float *w2 = k->p.w2 + (size_t)leaf[r] * l * o;
    for (int c = 0; c < o; c += VL) {
      int n = o - c < VL ? o - c : VL;
      vf acc = n == VL ? vload(b2 + c) : vload_n(b2 + c, n);
      for (int j = 0; j < l; j++) acc = vfma(vsplat(h[r][j]), n == VL ? vload(w2 + (size_t)j * o + c) : vload_n(w2 + (size_t)j * o + c, n), acc);
      if (n < VL) vstore_n(y + c, acc, n);
      else if (k->stream) vstream(y + c, acc);
      else vstore(y + c, acc);
    }
  }
}

enum { FIRST_PHASE, SECOND_PHASE };

/*
 * R samples through one phase of the walk: the first from the root through the top levels (leaving
 * each sample's bucket in node[] when the walk goes on), the second from its bucket to its leaf.
 * Where the walk ends: small leaves run, a wide leaf's index is left in node[].
 */
ALWAYS_INLINE void walk_block(int R, fff_kernel *k, const int32_t *s, int phase) {
  const float *x[4];
  int32_t node[4], leaf[4];
  for (int r = 0; r < R; r++) x[r] = k->x + (size_t)s[r] * k->p.i;
  const int bucket0 = (1 << k->top) - 1;
  if (phase == FIRST_PHASE) {
    for (int r = 0; r < R; r++) node[r] = 0;
    walk_rows(R, k, x, node, k->top);
    if (k->top < k->p.depth) {
      for (int r = 0; r < R; r++) k->node[s[r]] = node[r] - bucket0;
      return;
    }
  } else {
    for (int r = 0; r < R; r++) node[r] = k->node[s[r]] + bucket0;
    walk_rows(R, k, x, node, k->p.depth - k->top);
  }
  for (int r = 0; r < R; r++) leaf[r] = node[r] - (k->leaves - 1);
  if (k->small) small_leaves(R, k, s, x, leaf);
  else
    for (int r = 0; r < R; r++) k->node[s[r]] = leaf[r];
}

static void walk_block_1(fff_kernel *k, const int32_t *s, int phase) { walk_block(1, k, s, phase); }
static void walk_block_2(fff_kernel *k, const int32_t *s, int phase) { walk_block(2, k, s, phase); }
static void walk_block_3(fff_kernel *k, const int32_t *s, int phase) { walk_block(3, k, s, phase); }
static void walk_block_4(fff_kernel *k, const int32_t *s, int phase) { walk_block(4, k, s, phase); }
static void (*const WALK_BLOCK[4])(fff_kernel *, const int32_t *, int) = {walk_block_1, walk_block_2, walk_block_3, walk_block_4};

/* Phase one: chunks of the batch in batch order. */
static void first_phase(void *arg, int thread) {
  (void)thread;
  fff_kernel *k = arg;
  const int batch = k->p.batch, units = (batch + k->chunk - 1) / k->chunk;
  for (int u; (u = claim(&k->next, units)) >= 0;) {
    int end = (u + 1) * k->chunk < batch ? (u + 1) * k->chunk : batch;
    for (int at = u * k->chunk; at < end; at += 4) {
      int32_t s[4];
      int q = end - at < 4 ? end - at : 4;
      for (int r = 0; r < q; r++) s[r] = at + r;
      prefetch_next_block(k->x, k->p.i, NULL, at, end, 4);
      WALK_BLOCK[q - 1](k, s, FIRST_PHASE);
    }
  }
  stream_fence();
}

/* Phase two: chunks of the positions sorted by bucket. */
static void second_phase(void *arg, int thread) {
  (void)thread;
  fff_kernel *k = arg;
  const int batch = k->p.batch, units = (batch + k->chunk - 1) / k->chunk;
  for (int u; (u = claim(&k->next, units)) >= 0;) {
    int end = (u + 1) * k->chunk < batch ? (u + 1) * k->chunk : batch;
    for (int at = u * k->chunk; at < end; at += 4) {
      int q = end - at < 4 ? end - at : 4;
      prefetch_next_block(k->x, k->p.i, k->order, at, end, 4);
      WALK_BLOCK[q - 1](k, k->order + at, SECOND_PHASE);
    }
  }
  stream_fence();
}

/* Wide leaves: the items, each up to ITEM_ROWS rows of one leaf, four rows at a time. */
static void wide_leaves(void *arg, int thread) {
  fff_kernel *k = arg;
  const int i = k->p.i, o = k->p.o, l = k->p.l;
  float *scratch = k->scratch + (size_t)thread * 4 * k->lpad;
  for (int u; (u = claim(&k->next, k->nitems)) >= 0;) {
    const int32_t leaf = k->items[3 * u], first = k->items[3 * u + 1], rows = k->items[3 * u + 2];
    const float *w1 = k->p.w1 + (size_t)leaf * i * l, *b1 = k->p.b1 + (size_t)leaf * l;
    const float *w2 = k->p.w2 + (size_t)leaf * l * o, *b2 = k->p.b2 + (size_t)leaf * o;
    for (int at = first; at < first + rows; at += 4) {
      int q = first + rows - at < 4 ? first + rows - at : 4;
      const float *x[4];
      float *h[4], *y[4];
      for (int r = 0; r < q; r++) {
        int32_t s = k->leaf_order[at + r];
        x[r] = k->x + (size_t)s * i;
        h[r] = scratch + (size_t)r * k->lpad;
        y[r] = k->p.y + (size_t)s * o;
      }
      gemm_rows(q, i, 0, l, x, w1, l, b1, h, 0);
      for (int r = 0; r < q; r++) act_in_place(h[r], l, k->p.act);
      gemm_rows(q, l, 0, o, (const float *const *)h, w2, o, b2, y, k->stream);
    }
  }
  stream_fence();
}

/*
 * A batch with fewer leaf items than threads (batch 1: one leaf): an item's layer split across the
 * threads by columns, thread t computing its share of W1's columns (then their activation), and
 * after a join its share of W2's, so that every thread streams part of the leaf. A column's sum
 * never spans two threads: the same bits as one thread's.
 */
static void split_layer(void *arg, int thread) {
  fff_kernel *k = arg;
  const int i = k->p.i, o = k->p.o, l = k->p.l, threads = pool_threads(k->pool);
  const int32_t *item = k->items + 3 * k->split_item;
  const int32_t leaf = item[0], first = item[1], rows = item[2];
  const int n = k->split_layer == 1 ? l : o, vectors = (n + VL - 1) / VL;
  const int begin = vectors * thread / threads * VL, end = vectors * (thread + 1) / threads * VL < n ? vectors * (thread + 1) / threads * VL : n;
  for (int at = first; begin < end && at < first + rows; at += 4) {
    int q = first + rows - at < 4 ? first + rows - at : 4;
    const float *x[4];
    float *h[4], *y[4];
    for (int r = 0; r < q; r++) {
      int32_t s = k->leaf_order[at + r];
      x[r] = k->x + (size_t)s * i;
      h[r] = k->split_h + (size_t)(at - first + r) * k->lpad;
      y[r] = k->p.y + (size_t)s * o;
    }
    if (k->split_layer == 1) {
      gemm_rows(q, i, begin, end, x, k->p.w1 + (size_t)leaf * i * l, l, k->p.b1 + (size_t)leaf * l, h, 0);
      for (int r = 0; r < q; r++) act_in_place(h[r] + begin, end - begin, k->p.act);
    } else {
      gemm_rows(q, l, begin, end, (const float *const *)h, k->p.w2 + (size_t)leaf * l * o, o, k->p.b2 + (size_t)leaf * o, y, k->stream);
    }
  }
  stream_fence();
}

static void run_phase(fff_kernel *k, pool_task task) {
  atomic_store_explicit(&k->next, 0, memory_order_relaxed);
  if (k->pool) pool_run(k->pool, task, k);
  else task(k, 0);
}

void fff_run(fff_kernel *k, const float *x) {
  const int batch = k->p.batch;
  k->x = x;
  run_phase(k, first_phase);
  if (k->top < k->p.depth) {
    group_by_key(k->node, batch, k->cursor, k->order, k->visited, k->gstart, k->gsize);
    run_phase(k, second_phase);
  }
  if (k->small) return;
  int groups = group_by_key(k->node, batch, k->cursor, k->leaf_order, k->visited, k->gstart, k->gsize);
  int n = 0;
  for (int g = 0; g < groups; g++)
    for (int at = 0; at < k->gsize[g]; at += ITEM_ROWS) {
      k->items[3 * n] = k->visited[g];
      k->items[3 * n + 1] = k->gstart[g] + at;
      k->items[3 * n + 2] = k->gsize[g] - at < ITEM_ROWS ? k->gsize[g] - at : ITEM_ROWS;
      n++;
    }
  k->nitems = n;
  if (!k->pool || n >= pool_threads(k->pool)) {
    run_phase(k, wide_leaves);
    return;
  }
  for (k->split_item = 0; k->split_item < n; k->split_item++)
    for (k->split_layer = 1; k->split_layer <= 2; k->split_layer++) pool_run(k->pool, split_layer, k);
}

void fff_free(fff_kernel *k) {
  if (!k) return;
  pool_stop(k->pool);
  free(k->node_w_copy);
  free(k->w1_copy);
  free(k->node);
  free(k->order);
  free(k->leaf_order);
  free(k->cursor);
  free(k->visited);
  free(k->gstart);
  free(k->gsize);
  free(k->items);
  free(k->scratch);
  free(k->split_h);
  free(k);
}

fff_kernel *fff_prepare(const fff_params *p, char *why) {
  fff_kernel *k = calloc(1, sizeof *k);
  if (!k) goto oom;
  k->p = *p;
  const int batch = p->batch, i = p->i, l = p->l;
  k->leaves = 1 << p->depth;
  k->chunk = chunk_rows(batch, p->threads, CHUNK_ROWS);
  k->top = top_levels(i, p->depth, batch, p->top);
  k->small = l < SMALL_LEAF_BELOW;
  k->lpad = (l + VL - 1) / VL * VL;
  k->stream = HAS_STREAM && p->o % VL == 0 && (uintptr_t)p->y % 64 == 0 && (size_t)batch * p->o * 4 >= STREAM_FROM_BYTES;
  size_t keys = (size_t)k->leaves > ((size_t)1 << k->top) ? (size_t)k->leaves : ((size_t)1 << k->top);
  k->node = calloc((size_t)batch, 4);
  k->order = calloc((size_t)batch, 4);
  k->leaf_order = calloc((size_t)batch, 4);
  k->cursor = calloc(keys, 4);
  k->visited = calloc((size_t)batch, 4);
  k->gstart = calloc((size_t)batch, 4);
  k->gsize = calloc((size_t)batch, 4);
  k->items = calloc((size_t)batch * 3, 4);
  k->scratch = calloc((size_t)(p->threads > 0 ? p->threads : 1) * 4 * k->lpad, 4);
  k->split_h = calloc((size_t)ITEM_ROWS * k->lpad, 4);
  if (!k->node || !k->order || !k->leaf_order || !k->cursor || !k->visited || !k->gstart || !k->gsize || !k->items || !k->scratch || !k->split_h) goto oom;
  k->node_w = aligned_rows(p->node_w, (size_t)k->leaves - 1, i, &k->node_w_copy, &k->copied);
  /* depth 0 has no node rows, and its empty array may have no address */
  if (!k->node_w && k->leaves > 1) goto oom;
  if (k->small && l > 1) {
    /* W1 transposed: leaf λ's hidden unit j is the row at (λ·ℓ + j)·i */
    size_t bytes = (size_t)k->leaves * l * i * 4;
    k->w1_copy = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!k->w1_copy) goto oom;
    for (size_t leaf = 0; leaf < (size_t)k->leaves; leaf++)
      for (int q = 0; q < i; q++)
        for (int j = 0; j < l; j++) k->w1_copy[(leaf * l + j) * i + q] = p->w1[(leaf * i + q) * l + j];
    k->w1rows = k->w1_copy;
    k->copied += bytes;
  } else if (k->small) {
    k->w1rows = aligned_rows(p->w1, (size_t)k->leaves, i, &k->w1_copy, &k->copied);
    if (!k->w1rows) goto oom;
  } else {
    k->w1rows = p->w1;
  }
  if (p->threads > 1) {
    k->pool = pool_start(p->threads, p->spin_micros, why);
    if (!k->pool) {
      fff_free(k);
      return NULL;
    }
  }
  return k;
oom:
  snprintf(why, 200, "out of memory preparing the FFF kernel (batch %d, depth %d, leaf width %d)", p->batch, p->depth, p->l);
  fff_free(k);
  return NULL;
}

kernel_facts fff_facts(const fff_kernel *k) {
  kernel_facts f = {k->pool ? pool_threads(k->pool) : 1, k->top, k->small, k->stream, k->copied};
  return f;
}
