/// The few float64 matrix routines GPTQ needs, on square row-major [n, n] arrays: small, exact
/// textbook loops ordered so the innermost index is contiguous.
enum DenseLinearAlgebra {
    /// The lower Cholesky factor L of a symmetric positive definite A (A = L Lᵀ), or the first
    /// column whose pivot is not positive.
    static func choleskyLower(_ a: [Double], n: Int) -> Result<[Double], PivotFailure> {
        var l = [Double](repeating: 0, count: n * n)
        var failed: Int? = nil
        l.withUnsafeMutableBufferPointer { l in
            a.withUnsafeBufferPointer { a in
                for j in 0..<n {
                    var d = a[j * n + j]
                    for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
                    guard d > 0, d.isFinite else { failed = j; return }
                    let pivot = d.squareRoot()
                    l[j * n + j] = pivot
                    for i in (j + 1)..<max(j + 1, n) {
                        var s = a[i * n + j]
                        for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                        l[i * n + j] = s / pivot
                    }
                }
            }
        }
        if let failed { return .failure(PivotFailure(column: failed)) }
        return .success(l)
    }

    /// The inverse of a lower-triangular L with a positive diagonal (lower triangular too), row by row.
    static func lowerInverse(_ l: [Double], n: Int) -> [Double] {
        var x = [Double](repeating: 0, count: n * n)
        var acc = [Double](repeating: 0, count: n)
        x.withUnsafeMutableBufferPointer { x in
            l.withUnsafeBufferPointer { l in
                for i in 0..<n {
                    // Row i of L X = I: L[i, i] X[i, j] = δij - Σ_{k<i} L[i, k] X[k, j], X[k, j] zero for j > k.
                    for j in 0..<i { acc[j] = 0 }
                    for k in 0..<i {
                        let lik = l[i * n + k]
                        if lik == 0 { continue }
                        for j in 0...k { acc[j] += lik * x[k * n + j] }
                    }
                    let inv = 1 / l[i * n + i]
                    for j in 0..<i { x[i * n + j] = -acc[j] * inv }
                    x[i * n + i] = inv
                }
            }
        }
        return x
    }

    /// Xᵀ X for a lower-triangular X: the inverse of A when X = L⁻¹ and A = L Lᵀ.
    static func gramOfLower(_ x: [Double], n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        out.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    for a in 0...i {
                        let xa = x[i * n + a]
                        if xa == 0 { continue }
                        for b in 0...i { out[a * n + b] += xa * x[i * n + b] }
                    }
                }
            }
        }
        return out
    }

    /// A column at which a Cholesky factorisation met a non-positive pivot.
    struct PivotFailure: Error { let column: Int }
}
