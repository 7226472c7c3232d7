// Dot-product engine shared by CKA, kNN, Deep-kNN and the logistic-regression Hessian.
//
// Every expensive metric here is "all dot products between two sets of vectors". Doing that once,
// well, is what keeps CKA and kNN at a few seconds for 5000 x 384 on two cores: vectors are stored
// as zero-padded SIMD4<Double> chunks (padding adds zeros, so dot products are unchanged), pairs
// are visited in cache-sized tiles, and a 2x2 register block reuses every loaded chunk twice.

/// `count` vectors of equal length, each zero-padded to whole SIMD4<Double> chunks.
struct PackedVectors {
    let count: Int
    let length: Int
    let chunks: Int
    var storage: [SIMD4<Double>]

    /// Fills vector `v` through `fill(v, buffer)`, where the buffer holds `length` Doubles
    /// (already zeroed, padding included).
    init(count: Int, length: Int, fill: (Int, UnsafeMutableBufferPointer<Double>) -> Void) {
        self.count = count
        self.length = length
        self.chunks = (length + 3) / 4
        storage = [SIMD4<Double>](repeating: .zero, count: count * chunks)
        let chunks = self.chunks
        storage.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: Double.self) { doubles in
                for v in 0..<count {
                    let slice = UnsafeMutableBufferPointer(rebasing: doubles[(v * chunks * 4)..<(v * chunks * 4 + length)])
                    fill(v, slice)
                }
            }
        }
    }

    /// The vectors of `a` followed by those of `b` (same length).
    init(stacking a: PackedVectors, _ b: PackedVectors) {
        precondition(a.length == b.length, "stacked vectors differ in length")
        count = a.count + b.count
        length = a.length
        chunks = a.chunks
        storage = a.storage + b.storage
    }
}

/// Two-by-two block of dot products over `chunks` SIMD4 chunks. The horizontal sum is the same
/// expression for every pair, so dot(a, b) == dot(b, a) bit for bit and duplicate vectors tie
/// exactly (the kNN tie rule depends on that).
@inline(__always)
private func dot2x2(_ a0: UnsafePointer<SIMD4<Double>>, _ a1: UnsafePointer<SIMD4<Double>>,
                    _ b0: UnsafePointer<SIMD4<Double>>, _ b1: UnsafePointer<SIMD4<Double>>,
                    _ chunks: Int) -> (Double, Double, Double, Double) {
    var s00 = SIMD4<Double>.zero, s01 = SIMD4<Double>.zero
    var s10 = SIMD4<Double>.zero, s11 = SIMD4<Double>.zero
    for c in 0..<chunks {
        let x0 = a0[c], x1 = a1[c], y0 = b0[c], y1 = b1[c]
        s00 += x0 * y0
        s01 += x0 * y1
        s10 += x1 * y0
        s11 += x1 * y1
    }
    return (horizontalSum(s00), horizontalSum(s01), horizontalSum(s10), horizontalSum(s11))
}

@inline(__always)
private func horizontalSum(_ s: SIMD4<Double>) -> Double { (s[0] + s[1]) + (s[2] + s[3]) }

/// Calls `visit(i, j, dot(a_i, b_j))` for every pair; with `upperTriangle` (a and b the same set)
/// only for i < j, plus i == j when `includeDiagonal`.
func forEachDotProduct(_ a: PackedVectors, _ b: PackedVectors, upperTriangle: Bool,
                       includeDiagonal: Bool = false, visit: (Int, Int, Double) -> Void) {
    precondition(a.chunks == b.chunks, "vectors of different lengths")
    let chunks = a.chunks
    // A tile of vectors should sit in L2 (~128 KiB of Doubles) while the other tile streams past.
    let tile = max(8, min(256, 4096 / max(chunks, 1))) & ~1
    a.storage.withUnsafeBufferPointer { ap in
        b.storage.withUnsafeBufferPointer { bp in
            guard let aBase = ap.baseAddress, let bBase = bp.baseAddress else { return }
            for i0 in stride(from: 0, to: a.count, by: tile) {
                let i1 = min(i0 + tile, a.count)
                for j0 in stride(from: upperTriangle ? i0 : 0, to: b.count, by: tile) {
                    let j1 = min(j0 + tile, b.count)
                    var i = i0
                    while i < i1 {
                        let hasI1 = i + 1 < i1
                        let pa0 = aBase + i * chunks
                        let pa1 = hasI1 ? pa0 + chunks : pa0
                        var j = upperTriangle ? max(j0, i) : j0
                        while j < j1 {
                            let hasJ1 = j + 1 < j1
                            let pb0 = bBase + j * chunks
                            let pb1 = hasJ1 ? pb0 + chunks : pb0
                            let (d00, d01, d10, d11) = dot2x2(pa0, pa1, pb0, pb1, chunks)
                            if upperTriangle {
                                if i < j || (includeDiagonal && i == j) { visit(i, j, d00) }
                                if hasJ1 && (i < j + 1 || (includeDiagonal && i == j + 1)) { visit(i, j + 1, d01) }
                                if hasI1 && (i + 1 < j || (includeDiagonal && i + 1 == j)) { visit(i + 1, j, d10) }
                                if hasI1 && hasJ1 && (i + 1 < j + 1 || (includeDiagonal && i + 1 == j + 1)) {
                                    visit(i + 1, j + 1, d11)
                                }
                            } else {
                                visit(i, j, d00)
                                if hasJ1 { visit(i, j + 1, d01) }
                                if hasI1 { visit(i + 1, j, d10) }
                                if hasI1 && hasJ1 { visit(i + 1, j + 1, d11) }
                            }
                            j += 2
                        }
                        i += 2
                    }
                }
            }
        }
    }
}

/// The full symmetric Gram matrix V V^T (count x count, row-major), computing each pair once.
func symmetricGram(_ v: PackedVectors) -> [Double] {
    let m = v.count
    var gram = [Double](repeating: 0, count: m * m)
    gram.withUnsafeMutableBufferPointer { g in
        forEachDotProduct(v, v, upperTriangle: true, includeDiagonal: true) { i, j, d in
            g[i * m + j] = d
            g[j * m + i] = d
        }
    }
    return gram
}

/// For each of `rows` rows, the `k` best (similarity, index) candidates seen so far, best first.
///
/// Order is similarity descending, then index ascending. That is a total order, so the result
/// does not depend on the order candidates arrive in (tiles are visited in any order).
struct TopKSimilarities {
    let rows: Int
    let k: Int
    private(set) var similarity: [Double]
    private(set) var index: [Int]
    private(set) var filled: [Int]

    init(rows: Int, k: Int) {
        self.rows = rows
        self.k = k
        similarity = [Double](repeating: -.infinity, count: rows * k)
        index = [Int](repeating: Int.max, count: rows * k)
        filled = [Int](repeating: 0, count: rows)
    }

    @inline(__always)
    private static func better(_ s: Double, _ j: Int, than t: Double, _ u: Int) -> Bool {
        s > t || (s == t && j < u)
    }

    /// Offers candidate `j` to row `row`. A NaN similarity (from NaN
    /// embeddings) ranks last instead of poisoning the comparisons.
    @inline(__always)
    mutating func offer(row: Int, similarity: Double, index j: Int) {
        let s = similarity.isNaN ? -Double.infinity : similarity
        let base = row * k
        var pos: Int
        if filled[row] == k {
            guard Self.better(s, j, than: self.similarity[base + k - 1], index[base + k - 1]) else { return }
            pos = k - 1
        } else {
            pos = filled[row]
            filled[row] += 1
        }
        while pos > 0 && Self.better(s, j, than: self.similarity[base + pos - 1], index[base + pos - 1]) {
            self.similarity[base + pos] = self.similarity[base + pos - 1]
            index[base + pos] = index[base + pos - 1]
            pos -= 1
        }
        self.similarity[base + pos] = s
        index[base + pos] = j
    }

    /// Indices kept for `row`, best first.
    func indices(of row: Int) -> [Int] { Array(index[(row * k)..<(row * k + filled[row])]) }

    /// The k-th best similarity of `row` (the worst kept).
    func kthSimilarity(of row: Int) -> Double { similarity[row * k + filled[row] - 1] }
}
