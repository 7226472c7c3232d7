/// One encoder family (BERT, DistilBERT, ...): how its config.json and checkpoint keys map onto
/// the common encoder description. Each family is one conforming type in its own file, listed in
/// `ArchitectureRegistry`; nothing else in BertBench knows a family's spelling.
public protocol EncoderArchitecture: Sendable {
    /// The family's short name, used in messages and as the synthetic config's model_type ("bert").
    var name: String { get }
    /// The name "not a ... checkpoint" messages use ("BERT").
    var displayName: String { get }
    /// config.json `model_type` values this family reads.
    var modelTypes: [String] { get }
    /// Where this family's config.json keeps each shared field.
    var configFields: ConfigFields { get }
    /// The prefix task checkpoints (e.g. ...ForSequenceClassification) put on the encoder's keys ("bert.").
    var taskPrefix: String { get }
    /// The family's key names for `layers` blocks with `prefix` on the encoder's keys; the pooler
    /// (where the family has one) and the classifier head are included when asked for.
    func layout(layers: Int, prefix: String, pooler: Bool, head: Bool) -> TensorLayout
    /// config.json of a random-initialised checkpoint with these sizes, without the shared
    /// vocab_size, max_position_embeddings and model_type fields.
    func syntheticConfig(hidden: Int, layers: Int, heads: Int, intermediate: Int) -> [String: Any]
    /// Where config.json keeps the relative-position bias's settings, for families whose attention
    /// scores get one (MPNet); nil (the default) for absolute positions only.
    var relativeAttention: RelativeAttentionFields? { get }
    /// What is added to a token's index before the position table is read, given config.json's
    /// pad_token_id: 0 (the default) for BERT, pad + 1 for RoBERTa-style families.
    func positionOffset(padTokenID: Int?) -> Int
}

extension EncoderArchitecture {
    /// Absolute positions only, as BERT.
    public var relativeAttention: RelativeAttentionFields? { nil }
    /// Positions from 0, as BERT.
    public func positionOffset(padTokenID: Int?) -> Int { 0 }
}

/// The config.json key of a family's relative-attention bucket count and the settings its code fixes.
public struct RelativeAttentionFields: Sendable, Equatable {
    /// The bucket count's key ("relative_attention_num_buckets").
    public let bucketCount: String
    /// The count when config.json leaves the key out.
    public let defaultBucketCount: Int
    /// Distances at or past this share the last bucket (T5 and MPNet: 128).
    public let maxDistance: Int

    /// Names the key and the fixed settings.
    public init(bucketCount: String, defaultBucketCount: Int, maxDistance: Int) {
        self.bucketCount = bucketCount
        self.defaultBucketCount = defaultBucketCount
        self.maxDistance = maxDistance
    }
}

/// The config.json keys of the fields every family has under its own name.
public struct ConfigFields: Sendable, Equatable {
    /// The hidden width's key ("hidden_size", "dim").
    public let hiddenSize: String
    /// The layer count's key; layer dropping writes the new count back under it.
    public let layerCount: String
    /// The attention head count's key.
    public let headCount: String
    /// The FFN width's key.
    public let intermediateSize: String
    /// The hidden activation's key (its value must be "gelu"; absent means gelu).
    public let activation: String
    /// The token-type vocabulary's key, or nil for families without token types.
    public let typeVocabSize: String?

    /// Names every field; `typeVocabSize` nil for a family with no token-type embeddings.
    public init(hiddenSize: String, layerCount: String, headCount: String, intermediateSize: String,
                activation: String, typeVocabSize: String?) {
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.typeVocabSize = typeVocabSize
    }
}
