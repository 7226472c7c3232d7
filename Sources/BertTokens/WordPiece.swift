/// Greedy longest-match-first WordPiece over a vocabulary: continuation pieces carry "##"; a
/// word with an unmatchable part, or longer than `maxCharacters` scalars, becomes [UNK].
struct WordPiece: Sendable {
    let vocabulary: [String: Int32]
    let unknownID: Int32
    let maxCharacters = 100
    /// Scalars in the longest vocabulary entry: no longer candidate can match, so none is built.
    let longestEntry: Int

    init(vocabulary: [String: Int32], unknownID: Int32) {
        self.vocabulary = vocabulary
        self.unknownID = unknownID
        longestEntry = vocabulary.keys.map(\.unicodeScalars.count).max() ?? 0
    }

    func ids(for word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        if scalars.count > maxCharacters { return [unknownID] }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = min(scalars.count, start + longestEntry)
            var found: Int32? = nil
            while start < end {
                var piece = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            pieces.append(id)
            start = end
        }
        return pieces
    }
}
