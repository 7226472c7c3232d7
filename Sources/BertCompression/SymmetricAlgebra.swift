import BertCheckpoint

/// Double-precision dense algebra on symmetric positive-definite matrices (row-major [n, n]), as
/// the OBS-style techniques need it. Written here because no Swift package in the build's reach
/// offers a Cholesky (installed-swift lists no LAPACK binding); n is at most a few thousand.
enum SymmetricAlgebra {
    /// The lower-triangular L with a = L Lᵀ, or an error when `a` is not positive definite.
    static func cholesky(_ a: [Double], n: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        try l.withUnsafeMutableBufferPointer { l in
            try a.withUnsafeBufferPointer { a in
                for j in 0..<n {
                    var d = a[j * n + j]
                    for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
                    guard d > 0, d.isFinite else {
                        throw CheckpointError("calibration Hessian is not positive definite at column \(j) (raise the dampening)")
                    }
                    let root = d.squareRoot()
                    l[j * n + j] = root
                    for i in (j + 1)..<max(j + 1, n) {
                        var s = a[i * n + j]
                        for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                        l[i * n + j] = s / root
                    }
                }
            }
        }
        return l
    }

    /// (L⁻¹)ᵀ of a lower-triangular L, row-major: row j is column j of L⁻¹ (zeros before j), found
    /// by forward substitution L x = e_j. Held transposed so the substitution's inner product runs
    /// along two contiguous rows; the column-wise form strided by n and was 10x slower at n = 1536
    /// (14.2 s against 1.45 s, bit-identical: the same sums in the same order).
    static func invertLowerTransposed(_ l: [Double], n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: n * n)
        t.withUnsafeMutableBufferPointer { t in
            l.withUnsafeBufferPointer { l in
                for j in 0..<n {
                    let x = t.baseAddress! + j * n
                    x[j] = 1 / l[j * n + j]
                    for i in (j + 1)..<max(j + 1, n) {
                        let row = l.baseAddress! + i * n
                        var s = 0.0
                        for k in j..<i { s -= row[k] * x[k] }
                        x[i] = s / row[i]
                    }
                }
            }
        }
        return t
    }

    /// The inverse of a lower-triangular matrix (itself lower triangular).
    static func invertLower(_ l: [Double], n: Int) -> [Double] {
        let t = invertLowerTransposed(l, n: n)
        var inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { inv[i * n + j] = t[j * n + i] } }
        return inv
    }

    /// a⁻¹ of a symmetric positive-definite `a`, through its Cholesky factor: a⁻¹ = L⁻ᵀ L⁻¹.
    static func inverse(_ a: [Double], n: Int) throws -> [Double] {
        let t = invertLowerTransposed(try cholesky(a, n: n), n: n)
        var out = [Double](repeating: 0, count: n * n)
        out.withUnsafeMutableBufferPointer { out in
            t.withUnsafeBufferPointer { t in
                for i in 0..<n {
                    for j in i..<n {
                        // (L⁻ᵀ L⁻¹)_ij = Σ_k L⁻¹[k, i] L⁻¹[k, j] = Σ_k t[i, k] t[j, k], k >= max(i, j) = j: two contiguous rows.
                        var s = 0.0
                        for k in j..<n { s += t[i * n + k] * t[j * n + k] }
                        out[i * n + j] = s
                        out[j * n + i] = s
                    }
                }
            }
        }
        return out
    }

    /// The upper-triangular U with a = Uᵀ U (the transpose of the lower Cholesky factor).
    static func upperCholesky(_ a: [Double], n: Int) throws -> [Double] {
        let l = try cholesky(a, n: n)
        var u = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { u[j * n + i] = l[i * n + j] } }
        return u
    }

    /// X with a X = b for SPD `a` [n, n] and `b` [n, columns], by Cholesky.
    static func solve(_ a: [Double], n: Int, _ b: [Double], columns: Int) throws -> [Double] {
        let l = try cholesky(a, n: n)
        var x = b
        for c in 0..<columns {
            // L y = b, then Lᵀ x = y, in place in column c.
            for i in 0..<n {
                var s = x[i * columns + c]
                for k in 0..<i { s -= l[i * n + k] * x[k * columns + c] }
                x[i * columns + c] = s / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = x[i * columns + c]
                for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * x[k * columns + c] }
                x[i * columns + c] = s / l[i * n + i]
            }
        }
        return x
    }

    /// `a` + λ · mean(diag a) · I: the dampening that keeps a calibration gram invertible.
    static func dampened(_ a: [Double], n: Int, lambda: Double) -> [Double] {
        var out = a
        let mean = (0..<n).map { a[$0 * n + $0] }.reduce(0, +) / Double(max(n, 1))
        let add = lambda * (mean > 0 ? mean : 1)
        for i in 0..<n { out[i * n + i] += add }
        return out
    }
}
