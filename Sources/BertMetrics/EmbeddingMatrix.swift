/// n items x d dimensions of Float embeddings, stored row-major (one item per row).
///
/// Embeddings come off the engine as Float; every metric converts to Double before it sums, so
/// the storage stays compact while the arithmetic does not lose digits over thousands of terms.
public struct EmbeddingMatrix: Sendable, Equatable {
    /// Number of items (rows).
    public let rows: Int
    /// Embedding width (columns).
    public let columns: Int
    /// Row-major values, `rows * columns` of them.
    public let values: [Float]

    /// Wraps row-major values; the count must equal rows * columns.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "negative shape \(rows)x\(columns)")
        precondition(values.count == rows * columns,
                     "\(values.count) values do not fill \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Builds from one array per item; all must have the same length.
    public init(_ rowArrays: [[Float]]) {
        let width = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == width }, "rows of unequal length")
        self.init(rows: rowArrays.count, columns: width, values: rowArrays.flatMap { $0 })
    }

    /// The values of one item.
    public subscript(row: Int) -> ArraySlice<Float> {
        values[(row * columns)..<((row + 1) * columns)]
    }

    /// Rows scaled to unit L2 norm and packed for dot products. All-zero rows stay zero: cosine
    /// with a zero vector is undefined, and scoring it 0 keeps every result finite.
    func packedUnitRows() -> PackedVectors {
        values.withUnsafeBufferPointer { v in
            PackedVectors(count: rows, length: columns) { r, out in
                let base = r * columns
                var norm2 = 0.0
                for c in 0..<columns { let x = Double(v[base + c]); norm2 += x * x }
                let scale = norm2 > 0 ? 1 / norm2.squareRoot() : 0
                for c in 0..<columns { out[c] = Double(v[base + c]) * scale }
            }
        }
    }

    /// Columns minus their means, each column packed as one vector of length `rows` (the layout
    /// linear CKA needs for X^T X).
    func packedCentredColumns() -> PackedVectors {
        let means = columnMeans()
        return values.withUnsafeBufferPointer { v in
            PackedVectors(count: columns, length: rows) { c, out in
                for r in 0..<rows { out[r] = Double(v[r * columns + c]) - means[c] }
            }
        }
    }

    /// Rows minus the column means, each row packed as one vector (for n x n Gram matrices).
    func packedCentredRows() -> PackedVectors {
        let means = columnMeans()
        return values.withUnsafeBufferPointer { v in
            PackedVectors(count: rows, length: columns) { r, out in
                for c in 0..<columns { out[c] = Double(v[r * columns + c]) - means[c] }
            }
        }
    }

    /// Per-column means in Double.
    func columnMeans() -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows {
                for c in 0..<columns { sums[c] += Double(v[r * columns + c]) }
            }
        }
        return sums.map { rows > 0 ? $0 / Double(rows) : 0 }
    }
}
