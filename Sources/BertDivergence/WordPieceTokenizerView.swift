import BertTokens

/// The parts of a tokenizer the attack needs: whole-word alphabetic tokens and their ids.
struct WordPieceTokenizerView {
    let tokenizer: WordPieceTokenizer
    /// Ids of vocabulary entries that are whole lower-case alphabetic words of 3+ letters.
    let wordIDs: [Int]

    init(_ tokenizer: WordPieceTokenizer) {
        self.tokenizer = tokenizer
        wordIDs = (0..<tokenizer.vocabularySize).filter { id in
            guard let t = tokenizer.token(forID: Int32(id)) else { return false }
            return t.count >= 3 && t.allSatisfy { $0.isLetter && $0.isLowercase && $0.isASCII }
        }
    }

    func wholeWordID(_ word: String) -> Int32? {
        let pieces = tokenizer.tokenize(word)
        guard pieces.count == 1, let id = tokenizer.id(forToken: pieces[0]), id != tokenizer.unkID else { return nil }
        return id
    }

    func token(_ id: Int) -> String? { tokenizer.token(forID: Int32(id)) }
}
