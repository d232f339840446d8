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
