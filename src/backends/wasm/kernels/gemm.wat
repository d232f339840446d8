;; ---------------------------------------------------------------------------------------------
;; GEMM: C (rows × 8·panels) = epilogue(A (rows × k) · B (k × 8·panels))
;;
;; A and C are given as tables of row addresses (aRows, cRows: `rows` i32 each), so the same
;; kernel serves the dense layer (rows in order) and the FFF's leaves (the scattered samples
;; routed to one leaf) without copying rows.
;; B is packed at prepare time into panels of 8 columns: panel p starts at b + p·k·32 and holds,
;; for each q < k, B[q][8p .. 8p+7] (zero past the last real column).
;; mode 0: C += A·B          mode 1: C = relu(A·B + bias)
;; mode 2: C = gelu(A·B + bias)   mode 3: C = A·B + bias
;; bias holds 8·panels floats. C rows must have room for 8·panels floats.
;; ---------------------------------------------------------------------------------------------

;; Writes one 8-wide row of a tile: lo, hi are columns 0-3 and 4-7 of the sum.
(func $store_row (param $c i32) (param $lo v128) (param $hi v128) (param $bias i32) (param $mode i32)
  (if (i32.eqz (local.get $mode))
    (then
      (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (local.get $lo)))
      (v128.store offset=16 (local.get $c) (f32x4.add (v128.load offset=16 (local.get $c)) (local.get $hi)))
      (return)))
  (local.set $lo (f32x4.add (local.get $lo) (v128.load (local.get $bias))))
  (local.set $hi (f32x4.add (local.get $hi) (v128.load offset=16 (local.get $bias))))
  (if (i32.eq (local.get $mode) (i32.const 1))
    (then
      (local.set $lo (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $lo)))
      (local.set $hi (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $hi)))))
  (if (i32.eq (local.get $mode) (i32.const 2))
    (then
      (local.set $lo (call $gelu (local.get $lo)))
      (local.set $hi (call $gelu (local.get $hi)))))
  (v128.store (local.get $c) (local.get $lo))
  (v128.store offset=16 (local.get $c) (local.get $hi))
)

;; Micro-kernel: a 4 × 8 tile of C kept in eight v128 locals over the whole k loop, so every
;; loaded B vector is used 4 times and every broadcast A value twice. Not unrolled: under V8,
;; unrolling this loop by 2, 4 or 8 (and a 5 × 8 tile) all measured 25-50% slower than this.
(func $tile4 (param $aRows i32) (param $k i32) (param $pb i32) (param $cRows i32) (param $col i32) (param $bias i32) (param $mode i32)
  (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $end i32)
  (local $x v128) (local $b0 v128) (local $b1 v128)
  (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
  (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
  (local.set $a0 (i32.load (local.get $aRows)))
  (local.set $a1 (i32.load offset=4 (local.get $aRows)))
  (local.set $a2 (i32.load offset=8 (local.get $aRows)))
  (local.set $a3 (i32.load offset=12 (local.get $aRows)))
  (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $k) (i32.const 5))))
  (if (i32.lt_u (local.get $pb) (local.get $end))
    (then (loop $step
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $x (v128.load32_splat (local.get $a0)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a1)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a2)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a3)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
      (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
      (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
      (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
      (br_if $step (i32.lt_u (local.get $pb) (local.get $end))))))
  (call $store_row (i32.add (i32.load (local.get $cRows)) (local.get $col)) (local.get $c00) (local.get $c01) (local.get $bias) (local.get $mode))
  (call $store_row (i32.add (i32.load offset=4 (local.get $cRows)) (local.get $col)) (local.get $c10) (local.get $c11) (local.get $bias) (local.get $mode))
  (call $store_row (i32.add (i32.load offset=8 (local.get $cRows)) (local.get $col)) (local.get $c20) (local.get $c21) (local.get $bias) (local.get $mode))
  (call $store_row (i32.add (i32.load offset=12 (local.get $cRows)) (local.get $col)) (local.get $c30) (local.get $c31) (local.get $bias) (local.get $mode))
)

;; Micro-kernel for a single row (batch remainders, and the FFF where most leaves see one
;; sample): 1 × 8, k unrolled by 2 into two accumulator pairs so consecutive adds are independent.
(func $tile1 (param $aRows i32) (param $k i32) (param $pb i32) (param $cRows i32) (param $col i32) (param $bias i32) (param $mode i32)
  (local $a0 i32) (local $end i32) (local $end2 i32) (local $x v128)
  (local $c0 v128) (local $c1 v128) (local $d0 v128) (local $d1 v128)
  (local.set $a0 (i32.load (local.get $aRows)))
  (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $k) (i32.const 5))))
  (local.set $end2 (i32.add (local.get $pb) (i32.shl (i32.and (local.get $k) (i32.const -2)) (i32.const 5))))
  (if (i32.lt_u (local.get $pb) (local.get $end2))
    (then (loop $by2
      (local.set $x (v128.load32_splat (local.get $a0)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load (local.get $pb)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
      (local.set $x (v128.load32_splat offset=4 (local.get $a0)))
      (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $pb)))))
      (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $pb)))))
      (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
      (local.set $a0 (i32.add (local.get $a0) (i32.const 8)))
      (br_if $by2 (i32.lt_u (local.get $pb) (local.get $end2))))))
  (if (i32.lt_u (local.get $pb) (local.get $end))
    (then
      (local.set $x (v128.load32_splat (local.get $a0)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load (local.get $pb)))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))))
  (call $store_row (i32.add (i32.load (local.get $cRows)) (local.get $col))
    (f32x4.add (local.get $c0) (local.get $d0)) (f32x4.add (local.get $c1) (local.get $d1)) (local.get $bias) (local.get $mode))
)

;; Rows outer, panels inner: the block's A rows (4 × k floats, 12 KiB at k = 768) stay in L1
;; while the packed B streams past from L2 (the callers keep B to a few hundred KiB), and each
;; C tile is written once. (Panels outer, keeping one B panel in L1 instead, measured 2x slower
;; when C or A outgrew L2.)
(func (export "gemm") (param $aRows i32) (param $rows i32) (param $k i32) (param $b i32) (param $panels i32)
  (param $bias i32) (param $cRows i32) (param $mode i32)
  (local $p i32) (local $r i32) (local $pb i32) (local $col i32) (local $biasP i32) (local $rows4 i32) (local $panelBytes i32)
  (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
  (local.set $panelBytes (i32.shl (local.get $k) (i32.const 5)))
  (block $rowsDone (loop $rowBlock
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $pb (local.get $b))
    (local.set $biasP (local.get $bias))
    (local.set $col (i32.const 0))
    (local.set $p (i32.const 0))
    (block $panelsDone (loop $panel
      (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
      (if (i32.lt_u (local.get $r) (local.get $rows4))
        (then (call $tile4 (i32.add (local.get $aRows) (i32.shl (local.get $r) (i32.const 2))) (local.get $k) (local.get $pb)
          (i32.add (local.get $cRows) (i32.shl (local.get $r) (i32.const 2))) (local.get $col) (local.get $biasP) (local.get $mode)))
        (else (call $tile1 (i32.add (local.get $aRows) (i32.shl (local.get $r) (i32.const 2))) (local.get $k) (local.get $pb)
          (i32.add (local.get $cRows) (i32.shl (local.get $r) (i32.const 2))) (local.get $col) (local.get $biasP) (local.get $mode))))
      (local.set $pb (i32.add (local.get $pb) (local.get $panelBytes)))
      (local.set $biasP (i32.add (local.get $biasP) (i32.const 32)))
      (local.set $col (i32.add (local.get $col) (i32.const 32)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $panel)))
    ;; a block of 4 rows, or one leftover row
    (local.set $r (i32.add (local.get $r) (select (i32.const 4) (i32.const 1) (i32.lt_u (local.get $r) (local.get $rows4)))))
    (br $rowBlock)))
)
