;; ---------------------------------------------------------------------------------------------
;; FFF routing
;; ---------------------------------------------------------------------------------------------

;; a · b over n floats: four independent vector accumulators, then 4-wide steps, then scalars.
(func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
  (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
  (local $end i32) (local $end4 i32) (local $end16 i32) (local $sum f32)
  (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $end4 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
  (local.set $end16 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
  (if (i32.lt_u (local.get $a) (local.get $end16))
    (then (loop $by16
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br_if $by16 (i32.lt_u (local.get $a) (local.get $end16))))))
  (if (i32.lt_u (local.get $a) (local.get $end4))
    (then (loop $by4
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $by4 (i32.lt_u (local.get $a) (local.get $end4))))))
  (local.set $s0 (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3))))
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

;; For each of `rows` samples (x: rows × i floats), walk the tree from the root: at node k go to
;; child 2k+2 if nodeWeights[k]·x + nodeBias[k] >= 0, else 2k+1 (heap order). Writes the leaf
;; index (0 .. 2^depth - 1) of sample s to the i32 at leafOut + 4s.
(func (export "tree_walk") (param $x i32) (param $rows i32) (param $i i32) (param $nodes i32) (param $nodeBias i32)
  (param $depth i32) (param $leafOut i32)
  (local $s i32) (local $level i32) (local $node i32) (local $rowBytes i32) (local $xs i32) (local $score f32)
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
    ;; first leaf in heap order is 2^depth - 1
    (i32.store (i32.add (local.get $leafOut) (i32.shl (local.get $s) (i32.const 2)))
      (i32.sub (local.get $node) (i32.sub (i32.shl (i32.const 1) (local.get $depth)) (i32.const 1))))
    (local.set $s (i32.add (local.get $s) (i32.const 1)))
    (br $sample)))
)
