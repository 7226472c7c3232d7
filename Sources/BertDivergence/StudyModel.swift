import BertModel
import BertTokens
import Foundation

/// A model in a study: loaded, with its tokenizer, whether it is a compression of the large model
/// (so the large model's head applies to it unchanged), and what the caller expects of it.
public struct StudyModel: Sendable {
    /// What the caller knows about a variant, which the sanity checks hold the results to.
    public enum Expectation: String, Sendable {
        /// An int8 form of the large model itself: it should agree with it on at least 97% of items.
        case nearCopy
        /// Trained separately (a smaller sibling): it should agree less than the best near copy.
        case separatelyTrained
        /// Nothing is expected; no sanity check.
        case none
    }

    public let model: LoadedModel
    public let tokenizer: WordPieceTokenizer
    public let sameFamily: Bool
    public var expectation: Expectation
    /// The population of compressed models this variant belongs to (one method, different seeds,
    /// calibration sets or masks), for population PIEs; nil outside one.
    public var population: String?
    /// How it was made ("one-shot", "recovered / trained", "trained separately"), for the report; nil when unknown.
    public var making: String?

    public init(model: LoadedModel, tokenizer: WordPieceTokenizer, sameFamily: Bool, expectation: Expectation = .none) {
        self.model = model
        self.tokenizer = tokenizer
        self.sameFamily = sameFamily
        self.expectation = expectation
    }
}
