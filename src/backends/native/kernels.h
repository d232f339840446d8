/*
 * The FFF (fff.c) and UltraFastBERT's tree (ufb.c) as prepared kernels: prepare reads the weights
 * where the JavaScript typed arrays hold them, copying only what a kernel needs in another layout
 * (small leaves' W1, transposed) or on 64-byte boundaries (the rows its walk streams, where the
 * array starts off one: aligned_rows in walk.h); run reads the input in place and writes the
 * output into the array given at prepare.
 */
#ifndef FFFB_KERNELS_H
#define FFFB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int i, o, l, depth, batch, act, threads, spin_micros;
  /* levels of the walk's first phase; −1: as many as keep TOP_TREE_BYTES of node rows (tests force others) */
  int top;
  /* nodeWeights (2^d − 1) × i, nodeBias, leafW1 2^d × i × ℓ, leafB1, leafW2 2^d × ℓ × o, leafB2 (src/model/weights.ts) */
  const float *node_w, *node_b, *w1, *b1, *w2, *b2;
  /* batch × o */
  float *y;
} fff_params;

typedef struct {
  int i, o, depth, batch, act, threads, spin_micros, top;
  /* nodeIn (2^(D+1) − 1) × i, nodeOut (2^(D+1) − 1) × o */
  const float *node_in, *node_out;
  float *y;
} ufb_params;

/* What a prepared kernel decided, for the backend's notes. */
typedef struct {
  int threads;
  /* levels walked in the first phase (in batch order), before the batch is sorted by the node reached */
  int top;
  /* FFF: leaves run inside the walk (ℓ < SMALL_LEAF_BELOW) */
  int small_leaves;
  /* outputs written with non-temporal stores */
  int streamed;
  /* bytes the kernel copied or re-laid out from the weights (small leaves' W1 transposed, rows realigned) */
  size_t copied_bytes;
} kernel_facts;

typedef struct fff_kernel fff_kernel;
typedef struct ufb_kernel ufb_kernel;

/* NULL on failure, with the reason in `why` (at most 200 bytes) */
fff_kernel *fff_prepare(const fff_params *p, char *why);
void fff_run(fff_kernel *k, const float *x);
kernel_facts fff_facts(const fff_kernel *k);
void fff_free(fff_kernel *k);

ufb_kernel *ufb_prepare(const ufb_params *p, char *why);
void ufb_run(ufb_kernel *k, const float *x);
kernel_facts ufb_facts(const ufb_kernel *k);
void ufb_free(ufb_kernel *k);

/* Levels of the first phase for a batch: as many as keep TOP_TREE_BYTES of node rows, all of them
   (`levels`) for a batch under TWO_PHASE_FROM_BATCH; `forced` (≥ 0) where a test asks. */
int top_levels(int i, int levels, int batch, int forced);

/* Leaves narrower than this run inside the walk, one dot product per hidden unit (nothing padded). */
#define SMALL_LEAF_BELOW 8
/* The two-phase walk (as the wasm kernels', src/backends/wasm/fff-layout.ts): the first phase walks
   as many levels as keep TOP_TREE_BYTES of node rows; batches under TWO_PHASE_FROM_BATCH walk the
   whole tree in it. */
#define TOP_TREE_BYTES (512 * 1024)
#define TWO_PHASE_FROM_BATCH 16
/* Outputs of at least this many bytes, rows a whole number of vectors, are written with
   non-temporal stores: they cannot stay in cache for the next call anyway, and a streamed line is
   not read before it is written. */
#define STREAM_FROM_BYTES (4 << 20)

#endif
