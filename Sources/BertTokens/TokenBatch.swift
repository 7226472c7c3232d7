/// A padded batch of token ids, the one input type from the tokenizer to the encoder:
/// row-major [batchSize, sequenceLength].
public struct TokenBatch: Sendable {
    public let ids: [Int32]
    /// 1 for real tokens, 0 for padding.
    public let attentionMask: [Int32]
    public let tokenTypes: [Int32]
    /// Real tokens per row.
    public let lengths: [Int]
    public let batchSize: Int
    /// The longest row in the batch: rows are padded to it, not to the maximum length.
    public let sequenceLength: Int

    /// A batch from its flat parts (row-major [batchSize, sequenceLength]); token types default
    /// to 0 and each row's length is its count of mask-1 positions.
    public init(ids: [Int32], attentionMask: [Int32], tokenTypes: [Int32]? = nil, batchSize: Int, sequenceLength: Int) {
        precondition(ids.count == batchSize * sequenceLength && attentionMask.count == ids.count)
        precondition(tokenTypes == nil || tokenTypes!.count == ids.count)
        self.ids = ids
        self.attentionMask = attentionMask
        self.tokenTypes = tokenTypes ?? [Int32](repeating: 0, count: ids.count)
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        lengths = (0..<batchSize).map { b in
            attentionMask[(b * sequenceLength)..<((b + 1) * sequenceLength)].reduce(0) { $0 + Int($1) }
        }
    }

    /// Positions in the batch, padding included.
    public var tokenCount: Int { batchSize * sequenceLength }

    /// Pads `rows` of ids with `padID` to the longest row.
    public init(rows: [[Int32]], padID: Int32) {
        let length = rows.map(\.count).max() ?? 0
        var ids = [Int32](), mask = [Int32]()
        ids.reserveCapacity(rows.count * length)
        mask.reserveCapacity(rows.count * length)
        for row in rows {
            ids += row + [Int32](repeating: padID, count: length - row.count)
            mask += [Int32](repeating: 1, count: row.count) + [Int32](repeating: 0, count: length - row.count)
        }
        self.ids = ids
        attentionMask = mask
        tokenTypes = [Int32](repeating: 0, count: ids.count)
        lengths = rows.map(\.count)
        batchSize = rows.count
        sequenceLength = length
    }
}
