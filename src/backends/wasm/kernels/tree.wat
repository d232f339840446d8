;; ---------------------------------------------------------------------------------------------
;; FFF: routing (the leaves and the second phase of the walk: leaves.wat)
;;
;; tree_walk(x, rows, i, nodes, nodeBias, depth, leafOut)
;;   For each of `rows` samples (x: rows × i floats), walk `depth` levels from the root: at node k
;;   go to child 2k+2 if nodes[k]·x + nodeBias[k] >= 0, else 2k+1 (heap order). Writes the index
;;   within level `depth` of sample s to the i32 at leafOut + 4s. The backends call it with the
;;   walk's first phase's `top` levels, on a chunk of samples just copied in (in cache): the index
;;   is the sample's bucket, from which fff_route goes on.
;;
;; fff_route(desc, from, to, leaves), fff_leaves(desc, from, to)
;;   Work on the sorted positions from .. to − 1 of the descriptor's `order` (sample of each
;;   position). fff_route continues each sample's walk from its bucket (leafOf[s], the node's index
;;   within level `top`) down to its leaf, stores the leaf in leafOf[s] and, when `leaves` is 1,
;;   runs that leaf (as fff_leaves does). fff_leaves runs the leaf leafOf[s] of each sample:
;;   y_s = b2 + Σ_j act(W1ᵀ[j]·x_s + b1[j]) · W2[j] over the leaf's ℓ hidden units, one dot product
;;   per unit — no padding to a panel's 8 columns (for ℓ < 8, where the GEMM would waste 8 − ℓ of 8).
;;
;; The descriptor: 16 i32 fields at byte offsets (DESC_FIELDS in ../abi.mjs):
;;    0 x       input rows (i floats each)         32 y      output rows (oPad floats each)
;;    4 i                                           36 oPad
;;    8 nodes   node weight rows (i floats each)   40 l      leaf width ℓ
;;   12 nodeBias                                    44 w1     per leaf, ℓ rows of i floats: W1 transposed
;;   16 top     levels the first phase walked      48 b1     per leaf, ℓ floats
;;   20 depth                                       52 w2     per leaf, ℓ rows of oPad floats (zero padded)
;;   24 leafOf  i32 per sample: bucket, then leaf  56 b2     per leaf, oPad floats (zero padded)
;;   28 order   i32 per position: its sample        60 act    MODE.relu or MODE.gelu
;;
;; The second phase works four samples at a time, each in one lane: their rows are independent
;; streams, so the core has four rows' cache misses in flight instead of one — reading 3 KB rows in
;; random order ran at 8.6 GB/s four at a time against 4.4 GB/s one at a time here, and in bucket
;; order the samples' input rows are read, and their output rows written, in random order. A
;; range that is not a multiple of 4 fills the last block's lanes with its last sample again
;; (computed twice, stored with the same value). Every path takes the top levels through
;; tree_walk and the rest through $walk4: with one memory or several, on any thread count, a
;; sample meets the same instructions and the outputs are bit-identical.
;; ---------------------------------------------------------------------------------------------

;; a · b over n floats, for one sample: six independent vector accumulators (fewer are add-latency
;; bound; V8 spills eight), then 4-wide steps, then scalars. The first phase's walk, with the
;; sample's row and the top node rows in cache, is bound by this loop: 13-14 G multiply-adds/s here
;; against 9-10 for $dot4, whose four accumulators are add-latency bound.
(func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
  (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128)
  (local $end i32) (local $end4 i32) (local $end24 i32) (local $sum f32)
  (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $end4 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
  (local.set $end24 (i32.add (local.get $a) (i32.mul (i32.div_u (local.get $n) (i32.const 24)) (i32.const 96))))
  (if (i32.lt_u (local.get $a) (local.get $end24))
    (then (loop $by24
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
      (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul (v128.load offset=64 (local.get $a)) (v128.load offset=64 (local.get $b)))))
      (local.set $s5 (f32x4.add (local.get $s5) (f32x4.mul (v128.load offset=80 (local.get $a)) (v128.load offset=80 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 96)))
      (local.set $b (i32.add (local.get $b) (i32.const 96)))
      (br_if $by24 (i32.lt_u (local.get $a) (local.get $end24))))))
  (if (i32.lt_u (local.get $a) (local.get $end4))
    (then (loop $by4
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $by4 (i32.lt_u (local.get $a) (local.get $end4))))))
  (local.set $s0 (f32x4.add
    (f32x4.add (f32x4.add (local.get $s0) (local.get $s3)) (f32x4.add (local.get $s1) (local.get $s4)))
    (f32x4.add (local.get $s2) (local.get $s5))))
  (local.set $sum (f32.add
    (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
    (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
  (block $done (loop $by1
    (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
    (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
    (local.set $a (i32.add (local.get $a) (i32.const 4)))
    (local.set $b (i32.add (local.get $b) (i32.const 4)))
    (br $by1)))
  (local.get $sum)
)

;; Lane s of the result is x_s · w_s over n floats. One accumulator per lane (V8 spills eight):
;; eight floats a step (two products summed, then added to it), then four, its 4 partial sums added
;; as (0 + 2) + (1 + 3), then the n mod 4 leftover products in order.
(func $dot4 (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32)
  (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (param $n i32) (result v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $t v128) (local $u v128)
  (local $end i32) (local $end4 i32) (local $end8 i32)
  (local.set $end (i32.add (local.get $x0) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $end4 (i32.add (local.get $x0) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
  (local.set $end8 (i32.add (local.get $x0) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
  ;; eight floats a step, their two products added before the accumulator: half the pointer
  ;; updates per product, and the accumulator's add chain no longer sets the pace
  (if (i32.lt_u (local.get $x0) (local.get $end8))
    (then (loop $by8
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add
        (f32x4.mul (v128.load (local.get $x0)) (v128.load (local.get $w0)))
        (f32x4.mul (v128.load offset=16 (local.get $x0)) (v128.load offset=16 (local.get $w0))))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add
        (f32x4.mul (v128.load (local.get $x1)) (v128.load (local.get $w1)))
        (f32x4.mul (v128.load offset=16 (local.get $x1)) (v128.load offset=16 (local.get $w1))))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add
        (f32x4.mul (v128.load (local.get $x2)) (v128.load (local.get $w2)))
        (f32x4.mul (v128.load offset=16 (local.get $x2)) (v128.load offset=16 (local.get $w2))))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add
        (f32x4.mul (v128.load (local.get $x3)) (v128.load (local.get $w3)))
        (f32x4.mul (v128.load offset=16 (local.get $x3)) (v128.load offset=16 (local.get $w3))))))
      (local.set $x0 (i32.add (local.get $x0) (i32.const 32)))
      (local.set $x1 (i32.add (local.get $x1) (i32.const 32)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 32)))
      (local.set $x3 (i32.add (local.get $x3) (i32.const 32)))
      (local.set $w0 (i32.add (local.get $w0) (i32.const 32)))
      (local.set $w1 (i32.add (local.get $w1) (i32.const 32)))
      (local.set $w2 (i32.add (local.get $w2) (i32.const 32)))
      (local.set $w3 (i32.add (local.get $w3) (i32.const 32)))
      (br_if $by8 (i32.lt_u (local.get $x0) (local.get $end8))))))
  (if (i32.lt_u (local.get $x0) (local.get $end4))
    (then (loop $by4
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $x0)) (v128.load (local.get $w0)))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (local.get $x1)) (v128.load (local.get $w1)))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (local.get $x2)) (v128.load (local.get $w2)))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (local.get $x3)) (v128.load (local.get $w3)))))
      (local.set $x0 (i32.add (local.get $x0) (i32.const 16)))
      (local.set $x1 (i32.add (local.get $x1) (i32.const 16)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 16)))
      (local.set $x3 (i32.add (local.get $x3) (i32.const 16)))
      (local.set $w0 (i32.add (local.get $w0) (i32.const 16)))
      (local.set $w1 (i32.add (local.get $w1) (i32.const 16)))
      (local.set $w2 (i32.add (local.get $w2) (i32.const 16)))
      (local.set $w3 (i32.add (local.get $w3) (i32.const 16)))
      (br_if $by4 (i32.lt_u (local.get $x0) (local.get $end4))))))
  ;; transpose-add: t = (a0[0]+a0[2], a1[0]+a1[2], a0[1]+a0[3], a1[1]+a1[3]), u likewise for a2, a3
  (local.set $t (f32x4.add
    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
    (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
  (local.set $u (f32x4.add
    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
    (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
  (local.set $t (f32x4.add
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
    (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))))
  (block $done (loop $by1
    (br_if $done (i32.ge_u (local.get $x0) (local.get $end)))
    (local.set $t (f32x4.add (local.get $t)
      (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
        (f32x4.splat (f32.mul (f32.load (local.get $x0)) (f32.load (local.get $w0))))
        (f32.mul (f32.load (local.get $x1)) (f32.load (local.get $w1))))
        (f32.mul (f32.load (local.get $x2)) (f32.load (local.get $w2))))
        (f32.mul (f32.load (local.get $x3)) (f32.load (local.get $w3))))))
    (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
    (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
    (local.set $x2 (i32.add (local.get $x2) (i32.const 4)))
    (local.set $x3 (i32.add (local.get $x3) (i32.const 4)))
    (local.set $w0 (i32.add (local.get $w0) (i32.const 4)))
    (local.set $w1 (i32.add (local.get $w1) (i32.const 4)))
    (local.set $w2 (i32.add (local.get $w2) (i32.const 4)))
    (local.set $w3 (i32.add (local.get $w3) (i32.const 4)))
    (br $by1)))
  (local.get $t)
)

;; $dot4 where the four lanes share one row w: the same products and sums lane by lane (so the
;; same bits), a quarter of the row loads.
(func $dot4_shared (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $w i32) (param $n i32) (result v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $t v128) (local $u v128) (local $v v128) (local $v2 v128)
  (local $end i32) (local $end4 i32) (local $end8 i32)
  (local.set $end (i32.add (local.get $x0) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $end4 (i32.add (local.get $x0) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
  (local.set $end8 (i32.add (local.get $x0) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
  (if (i32.lt_u (local.get $x0) (local.get $end8))
    (then (loop $by8
      (local.set $v (v128.load (local.get $w)))
      (local.set $v2 (v128.load offset=16 (local.get $w)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add
        (f32x4.mul (v128.load (local.get $x0)) (local.get $v))
        (f32x4.mul (v128.load offset=16 (local.get $x0)) (local.get $v2)))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add
        (f32x4.mul (v128.load (local.get $x1)) (local.get $v))
        (f32x4.mul (v128.load offset=16 (local.get $x1)) (local.get $v2)))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add
        (f32x4.mul (v128.load (local.get $x2)) (local.get $v))
        (f32x4.mul (v128.load offset=16 (local.get $x2)) (local.get $v2)))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add
        (f32x4.mul (v128.load (local.get $x3)) (local.get $v))
        (f32x4.mul (v128.load offset=16 (local.get $x3)) (local.get $v2)))))
      (local.set $x0 (i32.add (local.get $x0) (i32.const 32)))
      (local.set $x1 (i32.add (local.get $x1) (i32.const 32)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 32)))
      (local.set $x3 (i32.add (local.get $x3) (i32.const 32)))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (br_if $by8 (i32.lt_u (local.get $x0) (local.get $end8))))))
  (if (i32.lt_u (local.get $x0) (local.get $end4))
    (then (loop $by4
      (local.set $v (v128.load (local.get $w)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $x0)) (local.get $v))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (local.get $x1)) (local.get $v))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (local.get $x2)) (local.get $v))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (local.get $x3)) (local.get $v))))
      (local.set $x0 (i32.add (local.get $x0) (i32.const 16)))
      (local.set $x1 (i32.add (local.get $x1) (i32.const 16)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 16)))
      (local.set $x3 (i32.add (local.get $x3) (i32.const 16)))
      (local.set $w (i32.add (local.get $w) (i32.const 16)))
      (br_if $by4 (i32.lt_u (local.get $x0) (local.get $end4))))))
  (local.set $t (f32x4.add
    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
    (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
  (local.set $u (f32x4.add
    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
    (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
  (local.set $t (f32x4.add
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
    (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))))
  (block $done (loop $by1
    (br_if $done (i32.ge_u (local.get $x0) (local.get $end)))
    (local.set $t (f32x4.add (local.get $t)
      (f32x4.mul (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
        (f32x4.splat (f32.load (local.get $x0))) (f32.load (local.get $x1))) (f32.load (local.get $x2))) (f32.load (local.get $x3)))
        (v128.load32_splat (local.get $w)))))
    (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
    (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
    (local.set $x2 (i32.add (local.get $x2) (i32.const 4)))
    (local.set $x3 (i32.add (local.get $x3) (i32.const 4)))
    (local.set $w (i32.add (local.get $w) (i32.const 4)))
    (br $by1)))
  (local.get $t)
)

;; Lane s of the result is x_s · (row node[s] of the rows at `rows`, rowBytes apart): one row read
;; once for all four lanes where they are at the same node ($dot4_shared: the lanes of a sorted
;; block mostly are, at the second phase's first level), else $dot4.
(func $dot4_any (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $node v128) (param $rows i32) (param $rowBytes i32) (param $n i32) (result v128)
  (if (result v128) (i8x16.all_true (i32x4.eq (local.get $node) (i32x4.splat (i32x4.extract_lane 0 (local.get $node)))))
    (then (call $dot4_shared (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)
      (i32.add (local.get $rows) (i32.mul (i32x4.extract_lane 0 (local.get $node)) (local.get $rowBytes))) (local.get $n)))
    (else (call $dot4 (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)
      (i32.add (local.get $rows) (i32.mul (i32x4.extract_lane 0 (local.get $node)) (local.get $rowBytes)))
      (i32.add (local.get $rows) (i32.mul (i32x4.extract_lane 1 (local.get $node)) (local.get $rowBytes)))
      (i32.add (local.get $rows) (i32.mul (i32x4.extract_lane 2 (local.get $node)) (local.get $rowBytes)))
      (i32.add (local.get $rows) (i32.mul (i32x4.extract_lane 3 (local.get $node)) (local.get $rowBytes)))
      (local.get $n))))
)

;; The four floats at base + 4·index for each lane's index.
(func $gather (param $base i32) (param $index v128) (result v128)
  (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
    (f32x4.splat (f32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 0 (local.get $index)) (i32.const 2)))))
    (f32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 1 (local.get $index)) (i32.const 2)))))
    (f32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 2 (local.get $index)) (i32.const 2)))))
    (f32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 3 (local.get $index)) (i32.const 2)))))
)

;; From heap nodes `node` (one per lane), `levels` levels down for the samples at x0 .. x3;
;; returns the heap nodes reached.
(func $walk4 (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $node v128) (param $levels i32)
  (param $i i32) (param $nodes i32) (param $nodeBias i32) (result v128)
  (local $rowBytes i32) (local $score v128)
  (local.set $rowBytes (i32.shl (local.get $i) (i32.const 2)))
  (block $done (loop $level
    (br_if $done (i32.eqz (local.get $levels)))
    (local.set $score (f32x4.add
      (call $dot4_any (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $node) (local.get $nodes) (local.get $rowBytes) (local.get $i))
      (call $gather (local.get $nodeBias) (local.get $node))))
    ;; right child 2k+2 where the score is >= 0 (the mask is -1 there), else 2k+1
    (local.set $node (i32x4.sub (i32x4.add (i32x4.shl (local.get $node) (i32.const 1)) (v128.const i32x4 1 1 1 1))
      (f32x4.ge (local.get $score) (v128.const f32x4 0 0 0 0))))
    (local.set $levels (i32.sub (local.get $levels) (i32.const 1)))
    (br $level)))
  (local.get $node)
)

;; Lane k of a block starting at position p: position p + k, or the last position `last` past it.
(func $lane (param $p i32) (param $k i32) (param $last i32) (result i32)
  (select (i32.add (local.get $p) (local.get $k)) (local.get $last)
    (i32.le_u (i32.add (local.get $p) (local.get $k)) (local.get $last)))
)

(func (export "tree_walk") (param $x i32) (param $rows i32) (param $i i32) (param $nodes i32) (param $nodeBias i32)
  (param $depth i32) (param $leafOut i32)
  (local $s i32) (local $rowBytes i32) (local $xs i32) (local $node i32) (local $level i32) (local $score f32)
  (local.set $rowBytes (i32.shl (local.get $i) (i32.const 2)))
  (block $samplesDone (loop $sample
    (br_if $samplesDone (i32.ge_u (local.get $s) (local.get $rows)))
    (local.set $xs (i32.add (local.get $x) (i32.mul (local.get $s) (local.get $rowBytes))))
    (local.set $node (i32.const 0))
    (local.set $level (i32.const 0))
    (block $levelsDone (loop $level
      (br_if $levelsDone (i32.ge_u (local.get $level) (local.get $depth)))
      (local.set $score (f32.add
        (call $dot (local.get $xs) (i32.add (local.get $nodes) (i32.mul (local.get $node) (local.get $rowBytes))) (local.get $i))
        (f32.load (i32.add (local.get $nodeBias) (i32.shl (local.get $node) (i32.const 2))))))
      (local.set $node (i32.add (i32.shl (local.get $node) (i32.const 1))
        (select (i32.const 2) (i32.const 1) (f32.ge (local.get $score) (f32.const 0)))))
      (local.set $level (i32.add (local.get $level) (i32.const 1)))
      (br $level)))
    ;; the first node of level `depth` in heap order is 2^depth - 1
    (i32.store (i32.add (local.get $leafOut) (i32.shl (local.get $s) (i32.const 2)))
      (i32.sub (local.get $node) (i32.sub (i32.shl (i32.const 1) (local.get $depth)) (i32.const 1))))
    (local.set $s (i32.add (local.get $s) (i32.const 1)))
    (br $sample)))
)
