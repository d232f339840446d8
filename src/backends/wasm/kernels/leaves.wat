;; ---------------------------------------------------------------------------------------------
;; FFF: the second phase of the walk and the small leaves, over sorted positions, four at a time
;; (fff_route, fff_leaves and the descriptor: see tree.wat)
;; ---------------------------------------------------------------------------------------------

;; y_k[c] = base_k[c] + h[k] · w_k[c] for the four lanes' rows of `bytes` bytes (a multiple of
;; 16), the rows interleaved: four streams of writes in flight, as the dot products have four of
;; reads. base_k is y_k itself (accumulate) or the b2 row of lane k's leaf (the first hidden
;; unit's pass). A repeated lane (the same y row as another) loads the same old values and stores
;; the same new ones: each step loads every lane before it stores any.
(func $axpy4 (param $y0 i32) (param $y1 i32) (param $y2 i32) (param $y3 i32)
  (param $base0 i32) (param $base1 i32) (param $base2 i32) (param $base3 i32)
  (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (param $h v128) (param $bytes i32)
  (local $c i32) (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
  (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
  (local.set $h0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $h) (local.get $h)))
  (local.set $h1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $h) (local.get $h)))
  (local.set $h2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $h) (local.get $h)))
  (local.set $h3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $h) (local.get $h)))
  (loop $step
    (local.set $v0 (f32x4.add (v128.load (i32.add (local.get $base0) (local.get $c))) (f32x4.mul (local.get $h0) (v128.load (i32.add (local.get $w0) (local.get $c))))))
    (local.set $v1 (f32x4.add (v128.load (i32.add (local.get $base1) (local.get $c))) (f32x4.mul (local.get $h1) (v128.load (i32.add (local.get $w1) (local.get $c))))))
    (local.set $v2 (f32x4.add (v128.load (i32.add (local.get $base2) (local.get $c))) (f32x4.mul (local.get $h2) (v128.load (i32.add (local.get $w2) (local.get $c))))))
    (local.set $v3 (f32x4.add (v128.load (i32.add (local.get $base3) (local.get $c))) (f32x4.mul (local.get $h3) (v128.load (i32.add (local.get $w3) (local.get $c))))))
    (v128.store (i32.add (local.get $y0) (local.get $c)) (local.get $v0))
    (v128.store (i32.add (local.get $y1) (local.get $c)) (local.get $v1))
    (v128.store (i32.add (local.get $y2) (local.get $c)) (local.get $v2))
    (v128.store (i32.add (local.get $y3) (local.get $c)) (local.get $v3))
    (local.set $c (i32.add (local.get $c) (i32.const 16)))
    (br_if $step (i32.lt_u (local.get $c) (local.get $bytes))))
)

;; The leaf activation on four lanes, as the GEMM's epilogue applies it (gemm.wat: $store_row).
(func $act4 (param $v v128) (param $mode i32) (result v128)
  (if (result v128) (i32.eq (local.get $mode) (i32.const 1))
    (then (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v)))
    (else (call $gelu (local.get $v))))
)

;; The leaves `leaf` (one per lane) of the samples at x0 .. x3, into the output rows y0 .. y3:
;; y = b2 + Σ_j act(W1ᵀ[j]·x + b1[j]) · W2[j].
(func $small_leaf4 (param $desc i32) (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32)
  (param $y0 i32) (param $y1 i32) (param $y2 i32) (param $y3 i32) (param $leaf v128)
  (local $i i32) (local $rowBytes i32) (local $l i32) (local $yBytes i32) (local $mode i32)
  (local $w1 i32) (local $b1 i32) (local $w2 i32) (local $b2 i32) (local $j i32) (local $unit v128) (local $h v128)
  (local.set $i (i32.load offset=4 (local.get $desc)))
  (local.set $rowBytes (i32.shl (local.get $i) (i32.const 2)))
  (local.set $yBytes (i32.shl (i32.load offset=36 (local.get $desc)) (i32.const 2)))
  (local.set $l (i32.load offset=40 (local.get $desc)))
  (local.set $w1 (i32.load offset=44 (local.get $desc)))
  (local.set $b1 (i32.load offset=48 (local.get $desc)))
  (local.set $w2 (i32.load offset=52 (local.get $desc)))
  (local.set $b2 (i32.load offset=56 (local.get $desc)))
  (local.set $mode (i32.load offset=60 (local.get $desc)))
  ;; hidden unit j of a leaf is row leaf·ℓ + j of the packed W1ᵀ, b1 and W2
  (local.set $unit (i32x4.mul (local.get $leaf) (i32x4.splat (local.get $l))))
  (block $unitsDone (loop $hiddenUnit
    (br_if $unitsDone (i32.ge_u (local.get $j) (local.get $l)))
    (local.set $h (call $act4 (f32x4.add
      (call $dot4 (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)
        (i32.add (local.get $w1) (i32.mul (i32x4.extract_lane 0 (local.get $unit)) (local.get $rowBytes)))
        (i32.add (local.get $w1) (i32.mul (i32x4.extract_lane 1 (local.get $unit)) (local.get $rowBytes)))
        (i32.add (local.get $w1) (i32.mul (i32x4.extract_lane 2 (local.get $unit)) (local.get $rowBytes)))
        (i32.add (local.get $w1) (i32.mul (i32x4.extract_lane 3 (local.get $unit)) (local.get $rowBytes)))
        (local.get $i))
      (call $gather (local.get $b1) (local.get $unit))) (local.get $mode)))
    ;; y_k = (first unit ? b2 row of lane k's leaf : y_k) + h[k] · W2 row of lane k's unit
    (call $axpy4 (local.get $y0) (local.get $y1) (local.get $y2) (local.get $y3)
      (select (call $row (local.get $b2) (i32x4.extract_lane 0 (local.get $leaf)) (local.get $yBytes)) (local.get $y0) (i32.eqz (local.get $j)))
      (select (call $row (local.get $b2) (i32x4.extract_lane 1 (local.get $leaf)) (local.get $yBytes)) (local.get $y1) (i32.eqz (local.get $j)))
      (select (call $row (local.get $b2) (i32x4.extract_lane 2 (local.get $leaf)) (local.get $yBytes)) (local.get $y2) (i32.eqz (local.get $j)))
      (select (call $row (local.get $b2) (i32x4.extract_lane 3 (local.get $leaf)) (local.get $yBytes)) (local.get $y3) (i32.eqz (local.get $j)))
      (call $row (local.get $w2) (i32x4.extract_lane 0 (local.get $unit)) (local.get $yBytes))
      (call $row (local.get $w2) (i32x4.extract_lane 1 (local.get $unit)) (local.get $yBytes))
      (call $row (local.get $w2) (i32x4.extract_lane 2 (local.get $unit)) (local.get $yBytes))
      (call $row (local.get $w2) (i32x4.extract_lane 3 (local.get $unit)) (local.get $yBytes))
      (local.get $h) (local.get $yBytes))
    (local.set $unit (i32x4.add (local.get $unit) (v128.const i32x4 1 1 1 1)))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
    (br $hiddenUnit)))
)

;; The samples at sorted positions p .. p + 3 (the last ones repeated past `to`): i32x4 of them.
(func $samples (param $desc i32) (param $p i32) (param $to i32) (result v128)
  (local $order i32) (local $last i32)
  (local.set $order (i32.load offset=28 (local.get $desc)))
  (local.set $last (i32.sub (local.get $to) (i32.const 1)))
  (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
    (i32x4.splat (i32.load (i32.add (local.get $order) (i32.shl (local.get $p) (i32.const 2)))))
    (i32.load (i32.add (local.get $order) (i32.shl (call $lane (local.get $p) (i32.const 1) (local.get $last)) (i32.const 2)))))
    (i32.load (i32.add (local.get $order) (i32.shl (call $lane (local.get $p) (i32.const 2) (local.get $last)) (i32.const 2)))))
    (i32.load (i32.add (local.get $order) (i32.shl (call $lane (local.get $p) (i32.const 3) (local.get $last)) (i32.const 2)))))
)

;; Byte address of row (lane k of `index`) in rows of `rowBytes` from `base`.
(func $row (param $base i32) (param $index i32) (param $rowBytes i32) (result i32)
  (i32.add (local.get $base) (i32.mul (local.get $index) (local.get $rowBytes)))
)

;; The i32 at base + 4·index for each lane's index.
(func $gather_i32 (param $base i32) (param $index v128) (result v128)
  (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
    (i32x4.splat (i32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 0 (local.get $index)) (i32.const 2)))))
    (i32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 1 (local.get $index)) (i32.const 2)))))
    (i32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 2 (local.get $index)) (i32.const 2)))))
    (i32.load (i32.add (local.get $base) (i32.shl (i32x4.extract_lane 3 (local.get $index)) (i32.const 2)))))
)

(func $route_or_leaves (param $desc i32) (param $from i32) (param $to i32) (param $walk i32) (param $leaves i32)
  (local $x i32) (local $rowBytes i32) (local $y i32) (local $yBytes i32) (local $leafOf i32) (local $levels i32) (local $top i32)
  (local $p i32) (local $s v128) (local $leaf v128)
  (local.set $x (i32.load (local.get $desc)))
  (local.set $rowBytes (i32.shl (i32.load offset=4 (local.get $desc)) (i32.const 2)))
  (local.set $y (i32.load offset=32 (local.get $desc)))
  (local.set $yBytes (i32.shl (i32.load offset=36 (local.get $desc)) (i32.const 2)))
  (local.set $leafOf (i32.load offset=24 (local.get $desc)))
  (local.set $top (i32.load offset=16 (local.get $desc)))
  (local.set $levels (i32.sub (i32.load offset=20 (local.get $desc)) (local.get $top)))
  (local.set $p (local.get $from))
  (block $done (loop $block
    (br_if $done (i32.ge_s (local.get $p) (local.get $to)))
    (local.set $s (call $samples (local.get $desc) (local.get $p) (local.get $to)))
    (local.set $leaf (call $gather_i32 (local.get $leafOf) (local.get $s)))
    (if (local.get $walk) (then
      ;; from the bucket's heap node (2^top − 1 + bucket) down to the leaf's (2^depth − 1 + leaf)
      (local.set $leaf (i32x4.sub
        (call $walk4
          (call $row (local.get $x) (i32x4.extract_lane 0 (local.get $s)) (local.get $rowBytes))
          (call $row (local.get $x) (i32x4.extract_lane 1 (local.get $s)) (local.get $rowBytes))
          (call $row (local.get $x) (i32x4.extract_lane 2 (local.get $s)) (local.get $rowBytes))
          (call $row (local.get $x) (i32x4.extract_lane 3 (local.get $s)) (local.get $rowBytes))
          (i32x4.add (local.get $leaf) (i32x4.splat (i32.sub (i32.shl (i32.const 1) (local.get $top)) (i32.const 1))))
          (local.get $levels) (i32.load offset=4 (local.get $desc)) (i32.load offset=8 (local.get $desc)) (i32.load offset=12 (local.get $desc)))
        (i32x4.splat (i32.sub (i32.shl (i32.const 1) (i32.load offset=20 (local.get $desc))) (i32.const 1)))))
      ;; a repeated lane stores its sample's leaf again
      (i32.store (i32.add (local.get $leafOf) (i32.shl (i32x4.extract_lane 0 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 0 (local.get $leaf)))
      (i32.store (i32.add (local.get $leafOf) (i32.shl (i32x4.extract_lane 1 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 1 (local.get $leaf)))
      (i32.store (i32.add (local.get $leafOf) (i32.shl (i32x4.extract_lane 2 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 2 (local.get $leaf)))
      (i32.store (i32.add (local.get $leafOf) (i32.shl (i32x4.extract_lane 3 (local.get $s)) (i32.const 2))) (i32x4.extract_lane 3 (local.get $leaf)))))
    (if (local.get $leaves) (then
      (call $small_leaf4 (local.get $desc)
        (call $row (local.get $x) (i32x4.extract_lane 0 (local.get $s)) (local.get $rowBytes))
        (call $row (local.get $x) (i32x4.extract_lane 1 (local.get $s)) (local.get $rowBytes))
        (call $row (local.get $x) (i32x4.extract_lane 2 (local.get $s)) (local.get $rowBytes))
        (call $row (local.get $x) (i32x4.extract_lane 3 (local.get $s)) (local.get $rowBytes))
        (call $row (local.get $y) (i32x4.extract_lane 0 (local.get $s)) (local.get $yBytes))
        (call $row (local.get $y) (i32x4.extract_lane 1 (local.get $s)) (local.get $yBytes))
        (call $row (local.get $y) (i32x4.extract_lane 2 (local.get $s)) (local.get $yBytes))
        (call $row (local.get $y) (i32x4.extract_lane 3 (local.get $s)) (local.get $yBytes))
        (local.get $leaf))))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (br $block)))
)

(func (export "fff_route") (param $desc i32) (param $from i32) (param $to i32) (param $leaves i32)
  (call $route_or_leaves (local.get $desc) (local.get $from) (local.get $to) (i32.const 1) (local.get $leaves))
)

(func (export "fff_leaves") (param $desc i32) (param $from i32) (param $to i32)
  (call $route_or_leaves (local.get $desc) (local.get $from) (local.get $to) (i32.const 0) (i32.const 1))
)
