/**
 * Cache-blocked, register-blocked float32 GEMM in plain JavaScript — the fairest dense
 * baseline plain JS can give.
 *
 * B (the weights) is packed once, at prepare time, into panels of NR = 4 columns: panel p holds,
 * for each k, B[k][4p..4p+3] contiguously, zero-padded past the last column. The micro-kernel
 * keeps a 4 × 4 tile of C in 16 local doubles over the whole K loop, so each loaded A and B
 * value is used four times and C is written once per tile.
 */
export const NR = 4;
const MR = 4;

/** Packs B (K × N, row-major with row stride ldb, starting at column col0) into NR-wide panels. */
export function packPanels(b: Float32Array, k: number, n: number, ldb: number, col0 = 0): Float32Array {
  const panels = Math.ceil(n / NR);
  const packed = new Float32Array(panels * k * NR);
  for (let p = 0; p < panels; p++) {
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < NR; c++) {
        const col = p * NR + c;
        packed[(p * k + r) * NR + c] = col < n ? b[r * ldb + col0 + col] : 0;
      }
    }
  }
  return packed;
}

/**
 * C[rows × n] += A[rows × k] · B, with B packed by packPanels(…, k, n, …).
 * A has row stride lda, C row stride ldc; both start at offset 0 of their arrays.
 */
export function gemmAccumulate(a: Float32Array, lda: number, rows: number, k: number, packed: Float32Array, n: number, c: Float32Array, ldc: number): void {
  const panels = Math.ceil(n / NR);
  for (let p = 0; p < panels; p++) {
    const pb = p * k * NR;
    const col = p * NR;
    const width = Math.min(NR, n - col);
    let r = 0;
    for (; r + MR <= rows; r += MR) {
      const a0 = r * lda;
      const a1 = a0 + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let q = 0, bi = pb; q < k; q++, bi += NR) {
        const b0 = packed[bi],
          b1 = packed[bi + 1],
          b2 = packed[bi + 2],
          b3 = packed[bi + 3];
        const x0 = a[a0 + q],
          x1 = a[a1 + q],
          x2 = a[a2 + q],
          x3 = a[a3 + q];
        c00 += x0 * b0;
        c01 += x0 * b1;
        c02 += x0 * b2;
        c03 += x0 * b3;
        c10 += x1 * b0;
        c11 += x1 * b1;
        c12 += x1 * b2;
        c13 += x1 * b3;
        c20 += x2 * b0;
        c21 += x2 * b1;
        c22 += x2 * b2;
        c23 += x2 * b3;
        c30 += x3 * b0;
        c31 += x3 * b1;
        c32 += x3 * b2;
        c33 += x3 * b3;
      }
      storeRow(c, r * ldc + col, width, c00, c01, c02, c03);
      storeRow(c, (r + 1) * ldc + col, width, c10, c11, c12, c13);
      storeRow(c, (r + 2) * ldc + col, width, c20, c21, c22, c23);
      storeRow(c, (r + 3) * ldc + col, width, c30, c31, c32, c33);
    }
    for (; r < rows; r++) {
      const a0 = r * lda;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      for (let q = 0, bi = pb; q < k; q++, bi += NR) {
        const x0 = a[a0 + q];
        c00 += x0 * packed[bi];
        c01 += x0 * packed[bi + 1];
        c02 += x0 * packed[bi + 2];
        c03 += x0 * packed[bi + 3];
      }
      storeRow(c, r * ldc + col, width, c00, c01, c02, c03);
    }
  }
}

function storeRow(c: Float32Array, at: number, width: number, v0: number, v1: number, v2: number, v3: number): void {
  if (width === NR) {
    c[at] += v0;
    c[at + 1] += v1;
    c[at + 2] += v2;
    c[at + 3] += v3;
    return;
  }
  c[at] += v0;
  if (width > 1) c[at + 1] += v1;
  if (width > 2) c[at + 2] += v2;
}
