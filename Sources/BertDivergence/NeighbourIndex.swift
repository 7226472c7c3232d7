import EncoderWeights
import Foundation

/// Nearest whole-word tokens of a word in a model's input-embedding matrix, by cosine; each
/// word's list is computed once per model (the attack asks for the same words on many items).
final class NeighbourIndex {
    let tokenizer: WordPieceTokenizerView
    let table: [Float]
    let norms: [Float]
    let width: Int
    private var cache: [String: [(word: String, cosine: Double)]] = [:]

    init(model: StudyModel) throws {
        let host = try HostEncoderWeights(checkpoint: model.model.checkpoint)
        let values: [Float], w: Int
        switch host.wordEmbeddings {
        case .float(let v, _, let width): (values, w) = (v, width)
        case .int8(let q, let s, _, let width): (values, w) = (q.indices.map { Float(q[$0]) * s[$0 / width] }, width)
        }
        norms = (0..<(values.count / w)).map { r in max(1e-12, values[(r * w)..<((r + 1) * w)].reduce(0) { $0 + $1 * $1 }.squareRoot()) }
        table = values
        width = w
        tokenizer = WordPieceTokenizerView(model.tokenizer)
    }

    /// Up to `count` neighbours of `word` (which must be one whole-word token), alphabetic only,
    /// most similar first, with their cosine.
    func nearest(_ word: String, count: Int) -> [(word: String, cosine: Double)] {
        if let known = cache[word], known.count >= count { return Array(known.prefix(count)) }
        guard let id = tokenizer.wholeWordID(word) else { return [] }
        let r = Int(id), width = width
        // The `count` best, kept sorted while scanning (count is small): no sort of the whole vocabulary.
        var best: [(score: Float, id: Int)] = []
        best.reserveCapacity(count + 1)
        table.withUnsafeBufferPointer { t in
            let query = UnsafeBufferPointer(rebasing: t[(r * width)..<((r + 1) * width)])
            for candidate in tokenizer.wordIDs where candidate != r {
                var dot: Float = 0
                let base = candidate * width
                for j in 0..<width { dot += query[j] * t[base + j] }
                let score = dot / (norms[candidate] * norms[r])
                guard best.count < count || score > best[best.count - 1].score else { continue }
                let at = best.firstIndex { score > $0.score } ?? best.count
                best.insert((score, candidate), at: at)
                if best.count > count { best.removeLast() }
            }
        }
        let found = best.compactMap { s in tokenizer.token(s.id).map { ($0, Double(s.score)) } }
        cache[word] = found
        return found
    }
}
