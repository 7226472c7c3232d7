import BertMetrics
import Foundation
import Support
import Testing

/// Decodes Fixtures/<name>.json, written by scripts/make_metric_goldens.py.
func fixture<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"),
                           "missing fixture \(name).json")
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// Row-major Doubles from a fixture as an embedding matrix (fixture values are exact in Float).
func matrix(_ values: [Double], rows: Int, columns: Int) -> EmbeddingMatrix {
    EmbeddingMatrix(rows: rows, columns: columns, values: values.map { Float($0) })
}

/// |a - b| <= tolerance * max(1, |b|): relative for large values, absolute near zero.
func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

/// Standard normal draws by Box-Muller from the library's own seeded generator.
func gaussians(_ count: Int, seed: UInt64) -> [Double] {
    var random = SeededRandom(seed: seed)
    var out = [Double]()
    out.reserveCapacity(count + 1)
    while out.count < count {
        let u1 = random.nextUnitInterval() + 0x1p-54, u2 = random.nextUnitInterval()
        let r = (-2 * log(u1)).squareRoot()
        out.append(r * cos(2 * .pi * u2))
        out.append(r * sin(2 * .pi * u2))
    }
    return Array(out.prefix(count))
}

/// An n x d matrix of standard normals.
func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> EmbeddingMatrix {
    EmbeddingMatrix(rows: rows, columns: columns, values: gaussians(rows * columns, seed: seed).map { Float($0) })
}

/// X Q for X (n x d) and Q (d x e), both row-major, in Double, stored back as Float.
func multiply(_ x: EmbeddingMatrix, _ q: [Double], columns e: Int) -> EmbeddingMatrix {
    let d = x.columns
    var out = [Float](repeating: 0, count: x.rows * e)
    for r in 0..<x.rows {
        for c in 0..<e {
            var s = 0.0
            for k in 0..<d { s += Double(x.values[r * d + k]) * q[k * e + c] }
            out[r * e + c] = Float(s)
        }
    }
    return EmbeddingMatrix(rows: x.rows, columns: e, values: out)
}
