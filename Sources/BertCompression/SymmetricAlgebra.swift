import BertCheckpoint
import Foundation

/// Double-precision dense algebra on symmetric positive-definite matrices (row-major [n, n]), as
/// the OBS-style techniques need it. Written here because no Swift package in the build's reach
/// offers a Cholesky (installed-swift lists no LAPACK binding); n is at most a few thousand.
enum SymmetricAlgebra {
    /// The lower-triangular L with a = L Lᵀ, or an error when `a` is not positive definite.
    static func cholesky(_ a: [Double], n: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        try l.withUnsafeMutableBufferPointer { l in
            try a.withUnsafeBufferPointer { a in
                nonisolated(unsafe) let lp = l.baseAddress!, ap = a.baseAddress!
                for j in 0..<n {
                    let d = ap[j * n + j] - dot(lp + j * n, lp + j * n, j)
                    guard d > 0, d.isFinite else {
                        throw CheckpointError("calibration Hessian is not positive definite at column \(j) (raise the dampening)")
                    }
                    let root = d.squareRoot()
                    lp[j * n + j] = root
                    // Rows below j depend only on columns < j, which are final: independent.
                    rowsInParallel(j + 1..<n, work: j) { i in lp[i * n + j] = (ap[i * n + j] - dot(lp + i * n, lp + j * n, j)) / root }
                }
            }
        }
        return l
    }

    /// (L⁻¹)ᵀ of a lower-triangular L, row-major: row j is column j of L⁻¹ (zeros before j), found
    /// by forward substitution L x = e_j. Held transposed so the substitution's inner product runs
    /// along two contiguous rows; the column-wise form strided by n and was 10x slower at n = 1536.
    static func invertLowerTransposed(_ l: [Double], n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: n * n)
        t.withUnsafeMutableBufferPointer { t in
            l.withUnsafeBufferPointer { l in
                nonisolated(unsafe) let tp = t.baseAddress!, lp = l.baseAddress!
                // Each column's substitution is independent of the others.
                rowsInParallel(0..<n, work: n) { j in
                    let x = tp + j * n
                    x[j] = 1 / lp[j * n + j]
                    for i in (j + 1)..<max(j + 1, n) {
                        let row = lp + i * n
                        x[i] = -dot(row + j, x + j, i - j) / row[i]
                    }
                }
            }
        }
        return t
    }

    /// The upper-triangular U with a⁻¹ = Uᵀ U, what OBS-style methods walk, without forming a⁻¹:
    /// with J the order reversal and J a J = L Lᵀ, a⁻¹ = (J L⁻¹ J)ᵀ (J L⁻¹ J), and J L⁻¹ J is upper
    /// triangular with a positive diagonal, so it is that factor. One Cholesky and one triangular
    /// inverse instead of a Cholesky, an inverse (L⁻ᵀ L⁻¹), and a second Cholesky: half the work and
    /// half the passes over an n² matrix that at n = 3072 does not fit in cache.
    static func upperCholeskyOfInverse(_ a: [Double], n: Int) throws -> [Double] {
        var reversed = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { reversed[i * n + j] = a[(n - 1 - i) * n + (n - 1 - j)] } }
        // Row j of t is column j of L⁻¹, so (J L⁻¹ J)[i, j] = L⁻¹[n-1-i, n-1-j] = t[n-1-j, n-1-i].
        let t = invertLowerTransposed(try cholesky(reversed, n: n), n: n)
        var u = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { u[i * n + j] = t[(n - 1 - j) * n + (n - 1 - i)] } }
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

    /// Σ a[k] b[k] over k < count, in eight independent lanes. A single running sum waits for each
    /// add before the next (about 4 cycles), and the scalar loops ran below 1 GFLOP/s: at MPNet's
    /// width 3072 one inverse took about half a minute. The lanes add in another order, so results
    /// differ from a sequential sum in the last bits.
    @inline(__always) static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var k = 0
        // A multiply and an add, not addProduct: built without an FMA target feature, addProduct
        // became a call to libm's fma per lane (28% of a GPTQ run in `perf`).
        while k + 8 <= count {
            s0 += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + k).loadUnaligned(as: SIMD4<Double>.self)
            s1 += UnsafeRawPointer(a + k + 4).loadUnaligned(as: SIMD4<Double>.self)
                * UnsafeRawPointer(b + k + 4).loadUnaligned(as: SIMD4<Double>.self)
            k += 8
        }
        var s = (s0 + s1).sum()
        while k < count {
            s += a[k] * b[k]
            k += 1
        }
        return s
    }

    /// Runs `body` for every index of `range`, on all cores when the step is worth it: `work` is
    /// the inner length per index, and below about 32k multiply-adds a dispatch costs more than it
    /// saves. Indices are dealt round-robin, since the triangular loops' rows differ in length.
    static func rowsInParallel(_ range: Range<Int>, work: Int, _ body: (Int) -> Void) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1, range.count * work >= 32_768 else {
            for i in range { body(i) }
            return
        }
        let lanes = min(range.count, cores * 4)
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                for i in stride(from: range.lowerBound + lane, to: range.upperBound, by: lanes) { body(i) }
            }
        }
    }

    /// Σ_rows Δ G Δᵀ with Δ = a - b (rows x cols) and G = `gram` [cols, cols]: how far two weights'
    /// outputs lie apart over the calibration tokens, ||X aᵀ - X bᵀ||²_F. Rows go in blocks of 8
    /// that share each row of G while it is in cache (one row per pass streamed all of G, 75 MB at
    /// 3072, from memory for every output row); each row's sum keeps its order, and rows are added
    /// in order, so the result does not depend on the core count.
    static func gramDistance(_ a: [Float], _ b: [Float], rows: Int, cols: Int, gram: [Double]) -> Double {
        precondition(a.count == rows * cols && b.count == rows * cols && gram.count == cols * cols)
        let block = 8
        var perRow = [Double](repeating: 0, count: rows)
        perRow.withUnsafeMutableBufferPointer { perRow in
            gram.withUnsafeBufferPointer { g in
                nonisolated(unsafe) let out = perRow.baseAddress!, gp = g.baseAddress!
                rowsInParallel(0..<((rows + block - 1) / block), work: block * cols * cols) { blockIndex in
                    let first = blockIndex * block, count = min(block, rows - first)
                    let delta = (0..<(count * cols)).map { Double(a[first * cols + $0]) - Double(b[first * cols + $0]) }
                    var totals = [Double](repeating: 0, count: count)
                    delta.withUnsafeBufferPointer { d in
                        for i in 0..<cols {
                            for r in 0..<count where d[r * cols + i] != 0 {
                                totals[r] += d[r * cols + i] * dot(gp + i * cols, d.baseAddress! + r * cols, cols)
                            }
                        }
                    }
                    for r in 0..<count { out[first + r] = totals[r] }
                }
            }
        }
        return perRow.reduce(0, +)
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
