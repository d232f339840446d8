;; ---------------------------------------------------------------------------------------------
;; UltraFastBERT's tree (model 'ufb', src/model/weights.ts): per sample, at each of the D + 1 levels
;; a = nodeIn[k]·x, y += act(a)·nodeOut[k], then go right iff a >= 0. No biases, no leaves.
;;
;; ufb_top(desc, from, to)
;;   The first phase, for samples from .. to − 1 in batch order (a chunk in cache): walks the top
;;   `top` levels four samples at a time ($dot4_any, one lane each: a row read once for the lanes
;;   at the same node), storing act(a) of each level in the sample's row of the h table and the
;;   node reached (its index within level `top`: the bucket) in nodeOf[s]. Four lanes at once ran
;;   the phase 14% faster than one sample at a time with $dot (d = 11, batch 16384, one thread).
;; ufb_route(desc, from, to)
;;   The second phase, over the sorted positions from .. to − 1 of `order`, four samples at a time
;;   (one lane each, as fff_route): the rest of the walk from the bucket ($dot4, act(a) into the h
;;   table), then each lane's output row ($out_row), y = Σ_levels h[level] · nodeOut[node at that
;;   level], accumulated in registers 32 columns at a time and stored once — the nodes on the path
;;   follow from the node reached; their row addresses are written beside act(a) once per sample.
;;
;; The descriptor: 12 i32 fields at byte offsets (UFB_DESC_FIELDS in ../abi.mjs):
;;    0 x       input rows (i floats each)        24 nodeOf  i32 per sample: its bucket
;;    4 i                                          28 order   i32 per position: its sample
;;    8 nodeIn  node rows, i floats each           32 y       output rows (oPad floats each)
;;   12 nodeOut node rows, oPad floats (zero pad)  36 oPad
;;   16 top     levels of the first phase          40 h       per sample, `levels` pairs of words:
;;                                                             act(a), then (by $out_row) the
;;                                                             level's nodeOut row address
;;   20 levels  D + 1                              44 act     MODE.relu or MODE.gelu
;; (x, i, order, y and oPad where the FFF's descriptor has them: $samples reads either.)
;; ---------------------------------------------------------------------------------------------

(func (export "ufb_top") (param $desc i32) (param $from i32) (param $to i32)
  (local $x i32) (local $i i32) (local $rowBytes i32) (local $nodeIn i32) (local $top i32) (local $levels i32)
  (local $h i32) (local $hBytes i32) (local $mode i32) (local $nodeOf i32) (local $last i32) (local $p i32)
  (local $s v128) (local $node v128) (local $a v128) (local $hv v128) (local $at v128) (local $level i32)
  (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
  (local.set $x (i32.load (local.get $desc)))
  (local.set $i (i32.load offset=4 (local.get $desc)))
  (local.set $rowBytes (i32.shl (local.get $i) (i32.const 2)))
  (local.set $nodeIn (i32.load offset=8 (local.get $desc)))
  (local.set $top (i32.load offset=16 (local.get $desc)))
  (local.set $levels (i32.load offset=20 (local.get $desc)))
  (local.set $nodeOf (i32.load offset=24 (local.get $desc)))
  (local.set $h (i32.load offset=40 (local.get $desc)))
  (local.set $hBytes (i32.shl (local.get $levels) (i32.const 3)))
  (local.set $mode (i32.load offset=44 (local.get $desc)))
  (local.set $last (i32.sub (local.get $to) (i32.const 1)))
  (local.set $p (local.get $from))
  (block $done (loop $block
    (br_if $done (i32.ge_s (local.get $p) (local.get $to)))
    ;; four samples in batch order, the last repeated past `to` (it stores its own values again)
    (local.set $s (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
      (i32x4.splat (local.get $p)) (call $lane (local.get $p) (i32.const 1) (local.get $last)))
      (call $lane (local.get $p) (i32.const 2) (local.get $last))) (call $lane (local.get $p) (i32.const 3) (local.get $last))))
    (local.set $x0 (call $row (local.get $x) (i32x4.extract_lane 0 (local.get $s)) (local.get $rowBytes)))
    (local.set $x1 (call $row (local.get $x) (i32x4.extract_lane 1 (local.get $s)) (local.get $rowBytes)))
    (local.set $x2 (call $row (local.get $x) (i32x4.extract_lane 2 (local.get $s)) (local.get $rowBytes)))
    (local.set $x3 (call $row (local.get $x) (i32x4.extract_lane 3 (local.get $s)) (local.get $rowBytes)))
    (local.set $at (i32x4.add (i32x4.splat (local.get $h)) (i32x4.mul (local.get $s) (i32x4.splat (local.get $hBytes)))))
    (local.set $node (v128.const i32x4 0 0 0 0))
    (local.set $level (i32.const 0))
    (block $walked (loop $levelLoop
      (br_if $walked (i32.ge_u (local.get $level) (local.get $top)))
      (local.set $a (call $dot4_any (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $node) (local.get $nodeIn) (local.get $rowBytes) (local.get $i)))
      (local.set $hv (call $act4 (local.get $a) (local.get $mode)))
      (call $store_h (local.get $at) (local.get $level) (local.get $hv))
      ;; right child 2k+2 where a >= 0 (the mask is -1 there), else 2k+1
      (local.set $node (i32x4.sub (i32x4.add (i32x4.shl (local.get $node) (i32.const 1)) (v128.const i32x4 1 1 1 1))
        (f32x4.ge (local.get $a) (v128.const f32x4 0 0 0 0))))
      (local.set $level (i32.add (local.get $level) (i32.const 1)))
      (br $levelLoop)))
    ;; the bucket: the node reached, counted within level `top`
    (local.set $node (i32x4.sub (local.get $node) (i32x4.splat (i32.sub (i32.shl (i32.const 1) (local.get $top)) (i32.const 1)))))
    (i32.store (i32.add (local.get $nodeOf) (i32.shl (i32x4.extract_lane 0 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 0 (local.get $node)))
    (i32.store (i32.add (local.get $nodeOf) (i32.shl (i32x4.extract_lane 1 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 1 (local.get $node)))
    (i32.store (i32.add (local.get $nodeOf) (i32.shl (i32x4.extract_lane 2 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 2 (local.get $node)))
    (i32.store (i32.add (local.get $nodeOf) (i32.shl (i32x4.extract_lane 3 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 3 (local.get $node)))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (br $block)))
)

;; act(a) of four lanes into their samples' h rows (byte addresses `at`) at `level`.
(func $store_h (param $at v128) (param $level i32) (param $hv v128)
  (local $off i32)
  (local.set $off (i32.shl (local.get $level) (i32.const 3)))
  (f32.store (i32.add (i32x4.extract_lane 0 (local.get $at)) (local.get $off)) (f32x4.extract_lane 0 (local.get $hv)))
  (f32.store (i32.add (i32x4.extract_lane 1 (local.get $at)) (local.get $off)) (f32x4.extract_lane 1 (local.get $hv)))
  (f32.store (i32.add (i32x4.extract_lane 2 (local.get $at)) (local.get $off)) (f32x4.extract_lane 2 (local.get $hv)))
  (f32.store (i32.add (i32x4.extract_lane 3 (local.get $at)) (local.get $off)) (f32x4.extract_lane 3 (local.get $hv)))
)

;; One sample's output row: y[col] = Σ_level hRow[level] · (row of the path's node at that level)[col],
;; the path's node at level l being ((reached + 1) >> (levels − l)) − 1, `reached` the heap node one
;; level below the tree. 32 columns at a time in eight accumulators, then 8 at a time; each output
;; stored once. The whole row in one call: a call per 32 columns cost as much as their arithmetic.
(func $out_row (param $y i32) (param $out i32) (param $reached i32) (param $levels i32) (param $hRow i32) (param $oBytes i32)
  (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
  (local $level i32) (local $w i32) (local $hv v128) (local $col i32) (local $end32 i32) (local $yc i32) (local $q i32) (local $qEnd i32)
  (local.set $end32 (i32.and (local.get $oBytes) (i32.const -128)))
  ;; each level's output row beside its act(a), once for all the column blocks
  (local.set $q (local.get $hRow))
  (local.set $qEnd (i32.add (local.get $hRow) (i32.shl (local.get $levels) (i32.const 3))))
  (loop $rows
    (i32.store offset=4 (local.get $q) (i32.add (local.get $out) (i32.mul (local.get $oBytes)
      (i32.sub (i32.shr_u (i32.add (local.get $reached) (i32.const 1)) (i32.sub (local.get $levels) (local.get $level))) (i32.const 1)))))
    (local.set $level (i32.add (local.get $level) (i32.const 1)))
    (local.set $q (i32.add (local.get $q) (i32.const 8)))
    (br_if $rows (i32.lt_u (local.get $q) (local.get $qEnd))))
  (block $blocksDone (loop $blocks
    (br_if $blocksDone (i32.ge_u (local.get $col) (local.get $end32)))
    (local.set $c0 (v128.const i32x4 0 0 0 0))
    (local.set $c1 (v128.const i32x4 0 0 0 0))
    (local.set $c2 (v128.const i32x4 0 0 0 0))
    (local.set $c3 (v128.const i32x4 0 0 0 0))
    (local.set $c4 (v128.const i32x4 0 0 0 0))
    (local.set $c5 (v128.const i32x4 0 0 0 0))
    (local.set $c6 (v128.const i32x4 0 0 0 0))
    (local.set $c7 (v128.const i32x4 0 0 0 0))
    (local.set $q (local.get $hRow))
    (loop $levelLoop
      (local.set $w (i32.add (i32.load offset=4 (local.get $q)) (local.get $col)))
      (local.set $hv (v128.load32_splat (local.get $q)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $hv) (v128.load offset=0 (local.get $w)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $hv) (v128.load offset=16 (local.get $w)))))
      (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $hv) (v128.load offset=32 (local.get $w)))))
      (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $hv) (v128.load offset=48 (local.get $w)))))
      (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $hv) (v128.load offset=64 (local.get $w)))))
      (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $hv) (v128.load offset=80 (local.get $w)))))
      (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $hv) (v128.load offset=96 (local.get $w)))))
      (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $hv) (v128.load offset=112 (local.get $w)))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br_if $levelLoop (i32.lt_u (local.get $q) (local.get $qEnd))))
    (local.set $yc (i32.add (local.get $y) (local.get $col)))
    (v128.store offset=0 (local.get $yc) (local.get $c0))
    (v128.store offset=16 (local.get $yc) (local.get $c1))
    (v128.store offset=32 (local.get $yc) (local.get $c2))
    (v128.store offset=48 (local.get $yc) (local.get $c3))
    (v128.store offset=64 (local.get $yc) (local.get $c4))
    (v128.store offset=80 (local.get $yc) (local.get $c5))
    (v128.store offset=96 (local.get $yc) (local.get $c6))
    (v128.store offset=112 (local.get $yc) (local.get $c7))
    (local.set $col (i32.add (local.get $col) (i32.const 128)))
    (br $blocks)))
  (block $tailDone (loop $tail
    (br_if $tailDone (i32.ge_u (local.get $col) (local.get $oBytes)))
    (local.set $c0 (v128.const i32x4 0 0 0 0))
    (local.set $c1 (v128.const i32x4 0 0 0 0))
    (local.set $q (local.get $hRow))
    (loop $levelLoop
      (local.set $w (i32.add (i32.load offset=4 (local.get $q)) (local.get $col)))
      (local.set $hv (v128.load32_splat (local.get $q)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $hv) (v128.load offset=0 (local.get $w)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $hv) (v128.load offset=16 (local.get $w)))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br_if $levelLoop (i32.lt_u (local.get $q) (local.get $qEnd))))
    (local.set $yc (i32.add (local.get $y) (local.get $col)))
    (v128.store offset=0 (local.get $yc) (local.get $c0))
    (v128.store offset=16 (local.get $yc) (local.get $c1))
    (local.set $col (i32.add (local.get $col) (i32.const 32)))
    (br $tail)))
)

(func (export "ufb_route") (param $desc i32) (param $from i32) (param $to i32)
  (local $x i32) (local $i i32) (local $rowBytes i32) (local $nodeIn i32) (local $out i32) (local $top i32) (local $levels i32)
  (local $y i32) (local $oBytes i32) (local $h i32) (local $hBytes i32) (local $mode i32)
  (local $p i32) (local $s v128) (local $node v128) (local $a v128) (local $hv v128) (local $level i32)
  (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $at v128)
  (local.set $x (i32.load (local.get $desc)))
  (local.set $i (i32.load offset=4 (local.get $desc)))
  (local.set $rowBytes (i32.shl (local.get $i) (i32.const 2)))
  (local.set $nodeIn (i32.load offset=8 (local.get $desc)))
  (local.set $out (i32.load offset=12 (local.get $desc)))
  (local.set $top (i32.load offset=16 (local.get $desc)))
  (local.set $levels (i32.load offset=20 (local.get $desc)))
  (local.set $y (i32.load offset=32 (local.get $desc)))
  (local.set $oBytes (i32.shl (i32.load offset=36 (local.get $desc)) (i32.const 2)))
  (local.set $h (i32.load offset=40 (local.get $desc)))
  (local.set $hBytes (i32.shl (local.get $levels) (i32.const 3)))
  (local.set $mode (i32.load offset=44 (local.get $desc)))
  (local.set $p (local.get $from))
  (block $done (loop $block
    (br_if $done (i32.ge_s (local.get $p) (local.get $to)))
    (local.set $s (call $samples (local.get $desc) (local.get $p) (local.get $to)))
    (local.set $x0 (call $row (local.get $x) (i32x4.extract_lane 0 (local.get $s)) (local.get $rowBytes)))
    (local.set $x1 (call $row (local.get $x) (i32x4.extract_lane 1 (local.get $s)) (local.get $rowBytes)))
    (local.set $x2 (call $row (local.get $x) (i32x4.extract_lane 2 (local.get $s)) (local.get $rowBytes)))
    (local.set $x3 (call $row (local.get $x) (i32x4.extract_lane 3 (local.get $s)) (local.get $rowBytes)))
    ;; the bucket's heap node: 2^top − 1 + bucket
    (local.set $node (i32x4.add (call $gather_i32 (i32.load offset=24 (local.get $desc)) (local.get $s))
      (i32x4.splat (i32.sub (i32.shl (i32.const 1) (local.get $top)) (i32.const 1)))))
    ;; byte offset of each lane's h row
    (local.set $at (i32x4.add (i32x4.splat (local.get $h)) (i32x4.mul (local.get $s) (i32x4.splat (local.get $hBytes)))))
    (local.set $level (local.get $top))
    (block $walked (loop $levelLoop
      (br_if $walked (i32.ge_u (local.get $level) (local.get $levels)))
      (local.set $a (call $dot4_any (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $node) (local.get $nodeIn) (local.get $rowBytes) (local.get $i)))
      (local.set $hv (call $act4 (local.get $a) (local.get $mode)))
      (call $store_h (local.get $at) (local.get $level) (local.get $hv))
      ;; right child 2k+2 where a >= 0 (the mask is -1 there), else 2k+1
      (local.set $node (i32x4.sub (i32x4.add (i32x4.shl (local.get $node) (i32.const 1)) (v128.const i32x4 1 1 1 1))
        (f32x4.ge (local.get $a) (v128.const f32x4 0 0 0 0))))
      (local.set $level (i32.add (local.get $level) (i32.const 1)))
      (br $levelLoop)))
    ;; the output, one row after another (a repeated lane stores its sample's values again)
    (call $out_row (call $row (local.get $y) (i32x4.extract_lane 0 (local.get $s)) (local.get $oBytes))
      (local.get $out) (i32x4.extract_lane 0 (local.get $node)) (local.get $levels) (i32x4.extract_lane 0 (local.get $at)) (local.get $oBytes))
    (call $out_row (call $row (local.get $y) (i32x4.extract_lane 1 (local.get $s)) (local.get $oBytes))
      (local.get $out) (i32x4.extract_lane 1 (local.get $node)) (local.get $levels) (i32x4.extract_lane 1 (local.get $at)) (local.get $oBytes))
    (call $out_row (call $row (local.get $y) (i32x4.extract_lane 2 (local.get $s)) (local.get $oBytes))
      (local.get $out) (i32x4.extract_lane 2 (local.get $node)) (local.get $levels) (i32x4.extract_lane 2 (local.get $at)) (local.get $oBytes))
    (call $out_row (call $row (local.get $y) (i32x4.extract_lane 3 (local.get $s)) (local.get $oBytes))
      (local.get $out) (i32x4.extract_lane 3 (local.get $node)) (local.get $levels) (i32x4.extract_lane 3 (local.get $at)) (local.get $oBytes))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (br $block)))
)
