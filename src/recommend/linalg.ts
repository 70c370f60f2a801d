/**
 * Dense symmetric positive-definite inverse for EASE, on Float64Array rows. Every inner loop is a dot product
 * of two contiguous rows, four rows at a time, so the n^3/2 multiply-adds stay in cache and in registers
 * (a plain JS matrix-of-arrays inverse is 10-20x slower at n = 3,700).
 */

/** In-place Cholesky: the lower triangle of `a` (row-major n x n) becomes L with a = L L^T. */
export function cholesky(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let k = 0;
      for (; k + 1 < j; k += 2) {
        s0 += a[ri + k]! * a[rj + k]!;
        s1 += a[ri + k + 1]! * a[rj + k + 1]!;
      }
      if (k < j) s0 += a[ri + k]! * a[rj + k]!;
      const s = a[ri + j]! - s0 - s1;
      if (i === j) {
        if (!(s > 0)) throw new Error(`matrix is not positive definite at row ${i}`);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
  }
}

/**
 * Inverse of a symmetric positive-definite matrix (row-major n x n); `a` is overwritten. Returns the full
 * symmetric inverse.
 */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  cholesky(a, n);
  // wt holds W^T where W = L^-1: row j of wt is column j of W, solved by forward substitution (contiguous).
  // Four columns are solved together so each row of L is read once for four dot products; rows of wt are
  // zero before their diagonal, so the shared range starting at j needs no masking.
  const wt = new Float64Array(n * n);
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const x0 = j * n;
    const x1 = x0 + n;
    const x2 = x1 + n;
    const x3 = x2 + n;
    for (let k = j; k < n; k++) {
      const rk = k * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let m = j; m < k; m++) {
        const l = a[rk + m]!;
        s0 += l * wt[x0 + m]!;
        s1 += l * wt[x1 + m]!;
        s2 += l * wt[x2 + m]!;
        s3 += l * wt[x3 + m]!;
      }
      const d = a[rk + k]!;
      wt[x0 + k] = k === j ? 1 / d : -s0 / d;
      if (k >= j + 1) wt[x1 + k] = k === j + 1 ? 1 / d : -s1 / d;
      if (k >= j + 2) wt[x2 + k] = k === j + 2 ? 1 / d : -s2 / d;
      if (k >= j + 3) wt[x3 + k] = k === j + 3 ? 1 / d : -s3 / d;
    }
  }
  for (; j < n; j++) {
    const x = j * n;
    wt[x + j] = 1 / a[j * n + j]!;
    for (let k = j + 1; k < n; k++) {
      const rk = k * n;
      let s0 = 0;
      for (let m = j; m < k; m++) s0 += a[rk + m]! * wt[x + m]!;
      wt[x + k] = -s0 / a[rk + k]!;
    }
  }
  // A^-1 = W^T W: entry (p, q) is the dot product of rows p and q of wt from max(p, q) on.
  const inv = a;
  for (let p = 0; p < n; p++) {
    const rp = p * n;
    let q = p;
    for (; q + 3 < n; q += 4) {
      const r0 = q * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      // Rows q..q+3 are zero before their own index, so start at q and let the zeros do the masking.
      for (let k = q; k < n; k++) {
        const w = wt[rp + k]!;
        s0 += w * wt[r0 + k]!;
        s1 += w * wt[r1 + k]!;
        s2 += w * wt[r2 + k]!;
        s3 += w * wt[r3 + k]!;
      }
      inv[rp + q] = s0;
      inv[rp + q + 1] = s1;
      inv[rp + q + 2] = s2;
      inv[rp + q + 3] = s3;
    }
    for (; q < n; q++) {
      const rq = q * n;
      let s = 0;
      for (let k = q; k < n; k++) s += wt[rp + k]! * wt[rq + k]!;
      inv[rp + q] = s;
    }
    for (let c = 0; c < p; c++) inv[rp + c] = inv[c * n + p]!;
  }
  return inv;
}
