/// Finds added tokens in a text leftmost-longest, as `tokenizers`' added vocabulary does, in one
/// pass: only positions whose scalar begins some token are tried, so long lines stay linear.
struct SpecialMatcher: Sendable {
    private let tokens: [(scalars: [Unicode.Scalar], id: Int32)]
    private let firstScalars: Set<Unicode.Scalar>

    /// A matcher for these (spelling, id) pairs; empty spellings never match.
    init(_ tokens: [(String, Int32)]) {
        self.tokens = tokens.map { (Array($0.0.unicodeScalars), $0.1) }.filter { !$0.0.isEmpty }
        firstScalars = Set(self.tokens.map { $0.scalars[0] })
    }

    /// The ids of `scalars`: each added token's id where it occurs, `plain` of the text between.
    func split(_ scalars: [Unicode.Scalar], plain: (ArraySlice<Unicode.Scalar>) -> [Int32]) -> [Int32] {
        if tokens.isEmpty { return scalars.isEmpty ? [] : plain(scalars[...]) }
        var ids: [Int32] = []
        var plainStart = 0, i = 0
        while i < scalars.count {
            guard firstScalars.contains(scalars[i]), let (length, id) = longestMatch(at: i, in: scalars) else { i += 1; continue }
            if plainStart < i { ids += plain(scalars[plainStart..<i]) }
            ids.append(id)
            i += length
            plainStart = i
        }
        if plainStart < scalars.count { ids += plain(scalars[plainStart..<scalars.count]) }
        return ids
    }

    /// The longest token spelled at `position`, with its length in scalars.
    private func longestMatch(at position: Int, in scalars: [Unicode.Scalar]) -> (Int, Int32)? {
        var best: (Int, Int32)? = nil
        for token in tokens where token.scalars.count > (best?.0 ?? 0) && position + token.scalars.count <= scalars.count {
            if scalars[position..<(position + token.scalars.count)].elementsEqual(token.scalars) { best = (token.scalars.count, token.id) }
        }
        return best
    }
}
