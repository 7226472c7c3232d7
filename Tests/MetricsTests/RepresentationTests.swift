import BertMetrics
import Foundation
import Testing

private struct CKAFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let rows: Int, xColumns: Int, yColumns: Int
        let x: [Double], y: [Double]
        let cka: Double
    }
    let cases: [Case]
}

private struct KNNFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let rows: Int, columns: Int, k: Int
        let a: [Double], b: [Double]
        let neighboursA: [[Int]], neighboursB: [[Int]]
        let jaccardPerItem: [Double]
        let jaccardMean: Double
    }
    let cases: [Case]
}

/// A random d x d orthogonal matrix (row-major) by Gram-Schmidt on Gaussian columns.
private func randomOrthogonal(_ d: Int, seed: UInt64) -> [Double] {
    let g = gaussians(d * d, seed: seed)
    var columns = (0..<d).map { c in (0..<d).map { r in g[r * d + c] } }
    for c in 0..<d {
        for p in 0..<c {
            let dot = zip(columns[c], columns[p]).reduce(0) { $0 + $1.0 * $1.1 }
            for r in 0..<d { columns[c][r] -= dot * columns[p][r] }
        }
        let norm = columns[c].reduce(0) { $0 + $1 * $1 }.squareRoot()
        for r in 0..<d { columns[c][r] /= norm }
    }
    var q = [Double](repeating: 0, count: d * d)
    for r in 0..<d { for c in 0..<d { q[r * d + c] = columns[c][r] } }
    return q
}

@Suite struct CKATests {
    @Test func matchesTheFormulaInNumpy() throws {
        let f: CKAFixture = try fixture("cka")
        for c in f.cases {
            let x = matrix(c.x, rows: c.rows, columns: c.xColumns)
            let y = matrix(c.y, rows: c.rows, columns: c.yColumns)
            let ours = Representations.linearCKA(x, y)
            #expect(close(ours, c.cka, 1e-12), "\(c.name): \(ours) vs numpy \(c.cka)")
        }
    }

    @Test func invariances() {
        let x = randomMatrix(rows: 50, columns: 12, seed: 1)
        let y = randomMatrix(rows: 50, columns: 9, seed: 2)
        // Isotropic scaling.
        let scaled = EmbeddingMatrix(rows: 50, columns: 12, values: x.values.map { $0 * 3.5 })
        #expect(abs(Representations.linearCKA(x, scaled) - 1) < 1e-12)
        // Orthogonal transform (the product is rounded back to Float, hence 1e-6).
        let rotated = multiply(x, randomOrthogonal(12, seed: 3), columns: 12)
        #expect(abs(Representations.linearCKA(x, rotated) - 1) < 1e-6)
        #expect(abs(Representations.linearCKA(x, y) - Representations.linearCKA(rotated, y)) < 1e-6)
        // Symmetry, and the same value by both routes (n x n Grams when n < d1 + d2).
        let xy = Representations.linearCKA(x, y), yx = Representations.linearCKA(y, x)
        #expect(abs(xy - yx) < 1e-14)
        #expect(xy > 0 && xy < 1)
        // Zero columns change nothing but the route: 5 + 6 <= 12 runs in feature space,
        // 7 + 6 > 12 in sample space (n x n Grams).
        let small = randomMatrix(rows: 12, columns: 5, seed: 4), other = randomMatrix(rows: 12, columns: 6, seed: 5)
        var padded = [Float]()
        for r in 0..<12 { padded += Array(small[r]) + [0, 0] }
        let featureRoute = Representations.linearCKA(small, other)
        let sampleRoute = Representations.linearCKA(EmbeddingMatrix(rows: 12, columns: 7, values: padded), other)
        #expect(abs(featureRoute - sampleRoute) < 1e-13)
        // Constant representation: undefined.
        #expect(Representations.linearCKA(x, EmbeddingMatrix(rows: 50, columns: 2, values: .init(repeating: 1, count: 100))).isNaN)
    }
}

@Suite struct NeighbourTests {
    @Test func matchBruteForceInNumpy() throws {
        let f: KNNFixture = try fixture("knn")
        for c in f.cases {
            let a = matrix(c.a, rows: c.rows, columns: c.columns)
            let b = matrix(c.b, rows: c.rows, columns: c.columns)
            #expect(Representations.nearestNeighbors(a, k: c.k) == c.neighboursA, "\(c.name) A")
            #expect(Representations.nearestNeighbors(b, k: c.k) == c.neighboursB, "\(c.name) B")
            let overlap = Representations.neighborJaccard(a, b, k: c.k)
            #expect(overlap.perItem == c.jaccardPerItem, "\(c.name)")
            #expect(close(overlap.mean, c.jaccardMean, 1e-14))
            #expect(close(overlap.randomBaseline,
                          SetOverlap.expectedRandomJaccard(sizeA: c.k, sizeB: c.k, universe: c.rows - 1), 0))
        }
    }

    @Test func exactTiesGoToTheLowerIndex() {
        // Items 1 and 2 are the same vector: equally similar to item 0, so 1 comes first.
        let e = EmbeddingMatrix([[1, 0], [1, 1], [1, 1], [-1, 0]])
        #expect(Representations.nearestNeighbors(e, k: 2)[0] == [1, 2])
        #expect(Representations.nearestNeighbors(e, k: 1)[3] == [1])
        // k beyond n - 1 is capped.
        #expect(Representations.nearestNeighbors(e, k: 10)[0].count == 3)
    }

    @Test func spaceWithItselfOverlapsFully() {
        let x = randomMatrix(rows: 80, columns: 16, seed: 8)
        let overlap = Representations.neighborJaccard(x, x)
        #expect(overlap.mean == 1 && overlap.k == 10)
        #expect(overlap.randomBaseline < 0.1)
        // Cosine ignores per-item scale.
        var scaled = x.values
        for r in 0..<80 { for c in 0..<16 { scaled[r * 16 + c] *= Float(r + 1) } }
        #expect(Representations.neighborJaccard(x, EmbeddingMatrix(rows: 80, columns: 16, values: scaled)).mean == 1)
    }

    @Test func runsAtScale() {
        // n = 500, d = 64: exercises tiling, edge blocks and both CKA routes' bookkeeping.
        let x = randomMatrix(rows: 500, columns: 64, seed: 21)
        var noisy = x.values
        let noise = gaussians(noisy.count, seed: 22)
        for i in noisy.indices { noisy[i] += Float(0.5 * noise[i]) }
        let y = EmbeddingMatrix(rows: 500, columns: 64, values: noisy)
        let cka = Representations.linearCKA(x, y)
        #expect(cka > 0.7 && cka < 1)
        let overlap = Representations.neighborJaccard(x, y)
        #expect(overlap.perItem.count == 500)
        #expect(overlap.mean > overlap.randomBaseline && overlap.mean < 1)
        #expect(Representations.nearestNeighbors(x).enumerated().allSatisfy { i, row in
            row.count == 10 && Set(row).count == 10 && !row.contains(i)
        })
    }
}
