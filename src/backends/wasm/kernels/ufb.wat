;; ---------------------------------------------------------------------------------------------
;; UltraFastBERT's tree (model 'ufb', src/model/weights.ts): per sample, at each of the D + 1 levels
;; a = nodeIn[k]·x, y += act(a)·nodeOut[k], then go right iff a >= 0. No biases, no leaves.
;;
;; ufb_top(desc, from, to)
;;   The first phase, for samples from .. to − 1 in batch order (a chunk just copied in, in cache):
;;   walks the top `top` levels one sample at a time ($dot), storing act(a) of each level in the
;;   sample's row of the h table and the node reached (its index within level `top`: the bucket)
;;   in nodeOf[s].
;; ufb_route(desc, from, to)
;;   The second phase, over the sorted positions from .. to − 1 of `order`, four samples at a time
;;   (one lane each, as fff_route): the rest of the walk from the bucket ($dot4, act(a) into the h
;;   table), then the output, y = Σ_levels h[level] · nodeOut[node at that level], accumulated in
;;   registers 32 columns at a time and stored once — the nodes on the path follow from the node
;;   reached, so nothing else is kept.
;;
;; The descriptor: 12 i32 fields at byte offsets (UFB_DESC_FIELDS in ../abi.mjs):
;;    0 x       input rows (i floats each)        24 nodeOf  i32 per sample: its bucket
;;    4 i                                          28 order   i32 per position: its sample
;;    8 nodeIn  node rows, i floats each           32 y       output rows (oPad floats each)
;;   12 nodeOut node rows, oPad floats (zero pad)  36 oPad
;;   16 top     levels of the first phase          40 h       per sample, `levels` floats: act(a)
;;   20 levels  D + 1                              44 act     MODE.relu or MODE.gelu
;; (x, i, order, y and oPad where the FFF's descriptor has them: $samples reads either.)
;; ---------------------------------------------------------------------------------------------

(func (export "ufb_top") (param $desc i32) (param $from i32) (param $to i32)
  (local $x i32) (local $i i32) (local $rowBytes i32) (local $nodeIn i32) (local $top i32) (local $levels i32)
  (local $h i32) (local $mode i32) (local $s i32) (local $xs i32) (local $node i32) (local $level i32) (local $a f32)
  (local.set $x (i32.load (local.get $desc)))
  (local.set $i (i32.load offset=4 (local.get $desc)))
  (local.set $rowBytes (i32.shl (local.get $i) (i32.const 2)))
  (local.set $nodeIn (i32.load offset=8 (local.get $desc)))
  (local.set $top (i32.load offset=16 (local.get $desc)))
  (local.set $levels (i32.load offset=20 (local.get $desc)))
  (local.set $h (i32.load offset=40 (local.get $desc)))
  (local.set $mode (i32.load offset=44 (local.get $desc)))
  (local.set $s (local.get $from))
  (block $samplesDone (loop $sample
    (br_if $samplesDone (i32.ge_u (local.get $s) (local.get $to)))
    (local.set $xs (i32.add (local.get $x) (i32.mul (local.get $s) (local.get $rowBytes))))
    (local.set $node (i32.const 0))
    (local.set $level (i32.const 0))
    (block $levelsDone (loop $levelLoop
      (br_if $levelsDone (i32.ge_u (local.get $level) (local.get $top)))
      (local.set $a (call $dot (local.get $xs) (i32.add (local.get $nodeIn) (i32.mul (local.get $node) (local.get $rowBytes))) (local.get $i)))
      ;; the four-lane activation on one lane: the same function whichever phase runs a level
      (f32.store
        (i32.add (local.get $h) (i32.shl (i32.add (i32.mul (local.get $s) (local.get $levels)) (local.get $level)) (i32.const 2)))
        (f32x4.extract_lane 0 (call $act4 (f32x4.splat (local.get $a)) (local.get $mode))))
      (local.set $node (i32.add (i32.shl (local.get $node) (i32.const 1))
        (select (i32.const 2) (i32.const 1) (f32.ge (local.get $a) (f32.const 0)))))
      (local.set $level (i32.add (local.get $level) (i32.const 1)))
      (br $levelLoop)))
    (i32.store (i32.add (i32.load offset=24 (local.get $desc)) (i32.shl (local.get $s) (i32.const 2)))
      (i32.sub (local.get $node) (i32.sub (i32.shl (i32.const 1) (local.get $top)) (i32.const 1))))
    (local.set $s (i32.add (local.get $s) (i32.const 1)))
    (br $sample)))
)

;; y[0 .. 32) (floats) = Σ_level hRow[level] · (row of the path's node at that level)[col .. col + 32)
;; for one sample: the path's node at level l is ((reached + 1) >> (levels − l)) − 1, `reached`
;; being the heap node one level below the tree. Eight accumulators, each output stored once.
(func $out32 (param $y i32) (param $out i32) (param $reached i32) (param $levels i32) (param $hRow i32) (param $oBytes i32)
  (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
  (local $level i32) (local $w i32) (local $hv v128)
  (loop $levelLoop
    (local.set $w (i32.add (local.get $out) (i32.mul (local.get $oBytes)
      (i32.sub (i32.shr_u (i32.add (local.get $reached) (i32.const 1)) (i32.sub (local.get $levels) (local.get $level))) (i32.const 1)))))
    (local.set $hv (v128.load32_splat (i32.add (local.get $hRow) (i32.shl (local.get $level) (i32.const 2)))))
    (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $hv) (v128.load (local.get $w)))))
    (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $hv) (v128.load offset=16 (local.get $w)))))
    (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $hv) (v128.load offset=32 (local.get $w)))))
    (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $hv) (v128.load offset=48 (local.get $w)))))
    (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $hv) (v128.load offset=64 (local.get $w)))))
    (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $hv) (v128.load offset=80 (local.get $w)))))
    (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $hv) (v128.load offset=96 (local.get $w)))))
    (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $hv) (v128.load offset=112 (local.get $w)))))
    (local.set $level (i32.add (local.get $level) (i32.const 1)))
    (br_if $levelLoop (i32.lt_u (local.get $level) (local.get $levels))))
  (v128.store (local.get $y) (local.get $c0))
  (v128.store offset=16 (local.get $y) (local.get $c1))
  (v128.store offset=32 (local.get $y) (local.get $c2))
  (v128.store offset=48 (local.get $y) (local.get $c3))
  (v128.store offset=64 (local.get $y) (local.get $c4))
  (v128.store offset=80 (local.get $y) (local.get $c5))
  (v128.store offset=96 (local.get $y) (local.get $c6))
  (v128.store offset=112 (local.get $y) (local.get $c7))
)

;; $out32 for 8 columns (the oPad mod 32 that remain).
(func $out8 (param $y i32) (param $out i32) (param $reached i32) (param $levels i32) (param $hRow i32) (param $oBytes i32)
  (local $c0 v128) (local $c1 v128) (local $level i32) (local $w i32) (local $hv v128)
  (loop $levelLoop
    (local.set $w (i32.add (local.get $out) (i32.mul (local.get $oBytes)
      (i32.sub (i32.shr_u (i32.add (local.get $reached) (i32.const 1)) (i32.sub (local.get $levels) (local.get $level))) (i32.const 1)))))
    (local.set $hv (v128.load32_splat (i32.add (local.get $hRow) (i32.shl (local.get $level) (i32.const 2)))))
    (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $hv) (v128.load (local.get $w)))))
    (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $hv) (v128.load offset=16 (local.get $w)))))
    (local.set $level (i32.add (local.get $level) (i32.const 1)))
    (br_if $levelLoop (i32.lt_u (local.get $level) (local.get $levels))))
  (v128.store (local.get $y) (local.get $c0))
  (v128.store offset=16 (local.get $y) (local.get $c1))
)

(func (export "ufb_route") (param $desc i32) (param $from i32) (param $to i32)
  (local $x i32) (local $i i32) (local $rowBytes i32) (local $nodeIn i32) (local $out i32) (local $top i32) (local $levels i32)
  (local $y i32) (local $oBytes i32) (local $h i32) (local $hBytes i32) (local $mode i32)
  (local $p i32) (local $s v128) (local $node v128) (local $a v128) (local $hv v128) (local $level i32) (local $col i32) (local $k i32)
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
  (local.set $hBytes (i32.shl (local.get $levels) (i32.const 2)))
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
      (f32.store (i32.add (i32x4.extract_lane 0 (local.get $at)) (i32.shl (local.get $level) (i32.const 2))) (f32x4.extract_lane 0 (local.get $hv)))
      (f32.store (i32.add (i32x4.extract_lane 1 (local.get $at)) (i32.shl (local.get $level) (i32.const 2))) (f32x4.extract_lane 1 (local.get $hv)))
      (f32.store (i32.add (i32x4.extract_lane 2 (local.get $at)) (i32.shl (local.get $level) (i32.const 2))) (f32x4.extract_lane 2 (local.get $hv)))
      (f32.store (i32.add (i32x4.extract_lane 3 (local.get $at)) (i32.shl (local.get $level) (i32.const 2))) (f32x4.extract_lane 3 (local.get $hv)))
      ;; right child 2k+2 where a >= 0 (the mask is -1 there), else 2k+1
      (local.set $node (i32x4.sub (i32x4.add (i32x4.shl (local.get $node) (i32.const 1)) (v128.const i32x4 1 1 1 1))
        (f32x4.ge (local.get $a) (v128.const f32x4 0 0 0 0))))
      (local.set $level (i32.add (local.get $level) (i32.const 1)))
      (br $levelLoop)))
    ;; the output, 32 columns of each of the four rows in turn (four write streams, as fff_route's
    ;; leaves), then 8 at a time; a repeated lane stores its sample's values again
    (local.set $col (i32.const 0))
    (block $outDone (loop $columns
      (br_if $outDone (i32.gt_u (i32.add (local.get $col) (i32.const 128)) (local.get $oBytes)))
      (call $out32 (i32.add (call $row (local.get $y) (i32x4.extract_lane 0 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 0 (local.get $node)) (local.get $levels) (i32x4.extract_lane 0 (local.get $at)) (local.get $oBytes))
      (call $out32 (i32.add (call $row (local.get $y) (i32x4.extract_lane 1 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 1 (local.get $node)) (local.get $levels) (i32x4.extract_lane 1 (local.get $at)) (local.get $oBytes))
      (call $out32 (i32.add (call $row (local.get $y) (i32x4.extract_lane 2 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 2 (local.get $node)) (local.get $levels) (i32x4.extract_lane 2 (local.get $at)) (local.get $oBytes))
      (call $out32 (i32.add (call $row (local.get $y) (i32x4.extract_lane 3 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 3 (local.get $node)) (local.get $levels) (i32x4.extract_lane 3 (local.get $at)) (local.get $oBytes))
      (local.set $col (i32.add (local.get $col) (i32.const 128)))
      (br $columns)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $col) (local.get $oBytes)))
      (call $out8 (i32.add (call $row (local.get $y) (i32x4.extract_lane 0 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 0 (local.get $node)) (local.get $levels) (i32x4.extract_lane 0 (local.get $at)) (local.get $oBytes))
      (call $out8 (i32.add (call $row (local.get $y) (i32x4.extract_lane 1 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 1 (local.get $node)) (local.get $levels) (i32x4.extract_lane 1 (local.get $at)) (local.get $oBytes))
      (call $out8 (i32.add (call $row (local.get $y) (i32x4.extract_lane 2 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 2 (local.get $node)) (local.get $levels) (i32x4.extract_lane 2 (local.get $at)) (local.get $oBytes))
      (call $out8 (i32.add (call $row (local.get $y) (i32x4.extract_lane 3 (local.get $s)) (local.get $oBytes)) (local.get $col))
        (i32.add (local.get $out) (local.get $col)) (i32x4.extract_lane 3 (local.get $node)) (local.get $levels) (i32x4.extract_lane 3 (local.get $at)) (local.get $oBytes))
      (local.set $col (i32.add (local.get $col) (i32.const 32)))
      (br $tail)))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (br $block)))
)
