;; fffbench WebAssembly SIMD128 kernels (f32x4), hand-written.
;; Assembled by src/backends/wasm/build.ts into kernels.wasm; test/backend-wasm.test.ts checks that the
;; committed binary is exactly what this source assembles to.
;;
;; Everything addresses one imported linear memory laid out by the JavaScript side (layout.ts).
;; Addresses are byte offsets (i32, compared unsigned); the memory is capped below 4 GiB so that
;; no `start + length` end pointer wraps.
;;
;; Exports:
;;   gemm(aRows, rows, k, b, panels, bias, cRows, mode)   C = epilogue(A · B)
;;   tree_walk(x, rows, i, nodes, nodeBias, depth, leafOut) FFF hard routing, one leaf per sample
;;   stream_read(at, bytes)                                sums bytes/4 floats: the read-bandwidth probe
(module
  (import "env" "memory" (memory 1 65535))

  ;; ---------------------------------------------------------------------------------------------
  ;; exp, erf and exact-erf GELU on four lanes
  ;; ---------------------------------------------------------------------------------------------

  ;; exp(v) for v <= 0 (inputs below -87 are clamped: exp(-87) ~ 1.6e-38 is the smallest normal
  ;; result used). Cephes expf: v = n·ln2 + r with |r| <= ln2/2, exp(r) by a degree-6 polynomial
  ;; (relative error ~1e-7), 2^n built directly in the exponent bits.
  (func $exp_nonpositive (param $v v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    ;; pmax(a, b) = a < b ? b : a
    (local.set $v (f32x4.pmax (v128.const f32x4 -87 -87 -87 -87) (local.get $v)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $v) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    ;; r = v - n·ln2, ln2 split in two parts (Cody–Waite) so that n·C1 is exact
    (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; exp(r) = p·r² + r + 1
    (local.set $p (f32x4.add
      (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (v128.const f32x4 1 1 1 1)))
    ;; · 2^n: n >= -126 after the clamp, so (n + 127) << 23 is a normal float's bits
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
  )

  ;; erf(u), Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), as erf32 in src/model/activation.ts:
  ;; erf(|u|) = 1 - poly(t)·exp(-u²) with t = 1/(1 + 0.3275911·|u|), the sign of u copied back.
  (func $erf (param $u v128) (result v128)
    (local $au v128) (local $t v128) (local $p v128)
    (local.set $au (f32x4.abs (local.get $u)))
    (local.set $t (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $au) (v128.const f32x4 0.3275911 0.3275911 0.3275911 0.3275911)))))
    (local.set $p (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592)))
    (local.set $p (f32x4.mul (local.get $p) (local.get $t)))
    (local.set $p (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.mul (local.get $p) (call $exp_nonpositive (f32x4.neg (f32x4.mul (local.get $au) (local.get $au)))))))
    ;; p >= 0 here: or-ing in u's sign bit gives erf(u) = sign(u)·erf(|u|)
    (v128.or (local.get $p) (v128.and (local.get $u) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
  )

  ;; GELU, exact form: x/2 · (1 + erf(x/√2)).
  (func $gelu (param $x v128) (result v128)
    (f32x4.mul
      (f32x4.mul (local.get $x) (v128.const f32x4 0.5 0.5 0.5 0.5))
      (f32x4.add (v128.const f32x4 1 1 1 1)
        (call $erf (f32x4.mul (local.get $x) (v128.const f32x4 0.70710678118654752 0.70710678118654752 0.70710678118654752 0.70710678118654752)))))
  )

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

  ;; ---------------------------------------------------------------------------------------------
  ;; Read-bandwidth probe for the calibration (src/execute/calibrate.ts): streams `bytes` bytes
  ;; (a multiple of 64) from `at` with four independent f32x4 accumulators, so the loop is bound
  ;; by memory rather than by the add latency. Returns the sum so the reads cannot be elided.
  ;; ---------------------------------------------------------------------------------------------
  (func (export "stream_read") (param $at i32) (param $bytes i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $at) (local.get $bytes)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $a (f32x4.add (local.get $a) (v128.load offset=0 (local.get $at))))
        (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $at))))
        (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $at))))
        (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 64)))
        (br $next)))
    (local.set $a (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
)
