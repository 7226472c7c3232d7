import Foundation

/// The encoder a config.json describes, normalised across the families' naming.
public struct BertConfig: Sendable {
    /// The family config.json's `model_type` names, which knows its key and field names.
    public let architecture: any EncoderArchitecture
    /// config.json's `architectures`: Hugging Face class names such as BertModel (not the family).
    public let architectures: [String]
    public let hiddenSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let intermediateSize: Int
    public let vocabSize: Int
    public let maxPositions: Int
    /// 0 for families without token types (DistilBERT).
    public let typeVocabSize: Int
    public let layerNormEps: Float
    /// Labels of a sequence-classification head, by class index, when the config names them.
    public let labels: [String]?
    /// Heads kept in each layer after head pruning (nil: every layer has `headCount`).
    public let headsPerLayer: [Int]?
    /// FFN width of each layer after FFN pruning (nil: every layer has `intermediateSize`).
    public let intermediateSizes: [Int]?
    /// `quantization.method` when the weights are stored quantized (e.g. "int8-weight-only").
    public let quantizationMethod: String?
    /// `quantization.bits`: 4 for int4 group-quantized Linear weights; nil (int8) when absent.
    public let quantizationBits: Int?
    /// `quantization.group_size`: input columns per int4 scale and zero point.
    public let quantizationGroupSize: Int?
    /// `compression.method` when BertBench derived this checkpoint from another.
    public var compressionMethod: String? {
        if case .object(let c)? = json["compression"] { return c["method"]?.stringValue }
        return nil
    }
    /// Added to each token's index before the position table is read (MPNet: pad_token_id + 1).
    public let positionOffset: Int
    /// The relative-position bias's buckets and maximum distance, for families that have one.
    public let relativeAttention: (buckets: Int, maxDistance: Int)?
    /// The whole config.json as read, so derived checkpoints keep every field they do not change.
    public let json: [String: JSONValue]

    /// Width of one attention head.
    public var headDim: Int { hiddenSize / headCount }
    /// Heads in `layer`, after any head pruning.
    public func heads(layer: Int) -> Int { headsPerLayer?[layer] ?? headCount }
    /// FFN width of `layer`, after any FFN pruning.
    public func intermediate(layer: Int) -> Int { intermediateSizes?[layer] ?? intermediateSize }

    /// Reads and checks `config.json` at `url`; errors name the file and the field.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CheckpointError("\(path): no such file (a model directory needs config.json)")
        }
        guard let data = try? Data(contentsOf: url), let value = try? JSONDecoder().decode(JSONValue.self, from: data),
              case .object(let json) = value else {
            throw CheckpointError("\(path): not a JSON object")
        }
        try self.init(json: json, path: path)
    }

    /// Reads and checks a parsed config.json; `path` names it in errors.
    public init(json: [String: JSONValue], path: String = "config.json") throws {
        self.json = json
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            if let present = json[key] {
                guard let v = present.intValue else { throw CheckpointError("\(path): \(key) must be an integer, not \(present)") }
                return v
            }
            if let value { return value }
            throw CheckpointError("\(path): missing integer field \(key)")
        }
        guard let typeName = json["model_type"]?.stringValue else { throw CheckpointError("\(path): missing model_type") }
        guard let architecture = ArchitectureRegistry.architecture(modelType: typeName) else {
            throw CheckpointError("\(path): unknown model_type '\(typeName)' (BertBench runs \(ArchitectureRegistry.namesForMessages))")
        }
        self.architecture = architecture
        let fields = architecture.configFields
        architectures = json["architectures"]?.arrayValue?.compactMap(\.stringValue) ?? []
        hiddenSize = try int(fields.hiddenSize)
        layerCount = try int(fields.layerCount)
        headCount = try int(fields.headCount)
        intermediateSize = try int(fields.intermediateSize)
        vocabSize = try int("vocab_size")
        maxPositions = try int("max_position_embeddings")
        typeVocabSize = try fields.typeVocabSize.map { try int($0, default: 2) } ?? 0
        let eps = json["layer_norm_eps"].map { $0.doubleValue ?? .nan } ?? 1e-12
        // An eps outside (0, 1) gives NaN or flattened embeddings, not an error, if let through.
        guard eps > 0, eps < 1, Float(eps) > 0 else {
            throw CheckpointError("\(path): layer_norm_eps \(json["layer_norm_eps"].map { "\($0)" } ?? "?") must be a number in (0, 1)")
        }
        layerNormEps = Float(eps)
        let activation = json[fields.activation]?.stringValue ?? "gelu"
        guard activation == "gelu" else {
            throw CheckpointError("\(path): hidden activation '\(activation)' is not supported (BertBench implements exact gelu)")
        }
        if case .object(let id2label)? = json["id2label"] {
            let pairs = id2label.compactMap { key, value in Int(key).flatMap { i in value.stringValue.map { (i, $0) } } }
            labels = pairs.sorted { $0.0 < $1.0 }.map(\.1)
        } else {
            labels = nil
        }
        positionOffset = architecture.positionOffset(padTokenID: json["pad_token_id"]?.intValue)
        if let fields = architecture.relativeAttention {
            let buckets = try int(fields.bucketCount, default: fields.defaultBucketCount)
            // MPNet's bucketing halves the count (one half per direction), then halves it again for exact distances.
            guard buckets >= 4, buckets % 4 == 0, buckets <= 1 << 10 else {
                throw CheckpointError("\(path): \(fields.bucketCount) must be a multiple of 4 in 4...\(1 << 10), not \(buckets)")
            }
            relativeAttention = (buckets, fields.maxDistance)
        } else {
            relativeAttention = nil
        }
        headsPerLayer = json["heads_per_layer"]?.arrayValue?.compactMap(\.intValue)
        intermediateSizes = json["intermediate_sizes"]?.arrayValue?.compactMap(\.intValue)
        if case .object(let q)? = json["quantization"] {
            quantizationMethod = q["method"]?.stringValue ?? "unknown"
            (quantizationBits, quantizationGroupSize) = try Self.int4Record(q, path: path)
        } else {
            (quantizationMethod, quantizationBits, quantizationGroupSize) = (nil, nil, nil)
        }

        // Upper limits far past any encoder, so sizes computed from them cannot overflow.
        let limits: [(String, String, Int, Int)] = [
            ("hidden size", fields.hiddenSize, hiddenSize, 1 << 16), ("layer count", fields.layerCount, layerCount, 1 << 10),
            ("head count", fields.headCount, headCount, 1 << 12), ("intermediate size", fields.intermediateSize, intermediateSize, 1 << 20),
            ("vocab size", "vocab_size", vocabSize, 1 << 24), ("max positions", "max_position_embeddings", maxPositions, 1 << 20),
        ]
        for (name, key, value, limit) in limits where value <= 0 || value > limit {
            throw CheckpointError("\(path): \(key) (\(name)) must be in 1...\(limit), not \(value)")
        }
        guard typeVocabSize >= 0, typeVocabSize <= 1 << 10 else {
            throw CheckpointError("\(path): type_vocab_size must be in 0...\(1 << 10), not \(typeVocabSize)")
        }
        guard positionOffset >= 0, positionOffset < maxPositions else {
            throw CheckpointError("\(path): pad_token_id puts the first position at \(positionOffset), outside the \(maxPositions) positions")
        }
        guard hiddenSize % headCount == 0 else {
            throw CheckpointError("\(path): hidden size \(hiddenSize) is not divisible by \(headCount) heads")
        }
        if let h = headsPerLayer, h.count != layerCount || h.contains(where: { $0 < 0 || $0 > headCount }) {
            throw CheckpointError("\(path): heads_per_layer \(h) must list \(layerCount) counts in 0...\(headCount)")
        }
        if let s = intermediateSizes, s.count != layerCount || s.contains(where: { $0 <= 0 || $0 > 1 << 20 }) {
            throw CheckpointError("\(path): intermediate_sizes \(s) must list \(layerCount) positive widths")
        }
    }

    /// `bits` and `group_size` of a quantization record: absent (int8), or 4 with an even group size.
    private static func int4Record(_ q: [String: JSONValue], path: String) throws -> (Int?, Int?) {
        guard let bitsValue = q["bits"] else {
            if q["group_size"] != nil { throw CheckpointError("\(path): quantization.group_size without quantization.bits") }
            return (nil, nil)
        }
        guard let bits = bitsValue.intValue, bits == 4 || bits == 8 else {
            throw CheckpointError("\(path): quantization.bits must be 4 or 8, not \(bitsValue)")
        }
        guard bits == 4 else { return (8, nil) }
        guard let group = q["group_size"]?.intValue, group >= 2, group % 2 == 0, group <= 1 << 16 else {
            throw CheckpointError("\(path): quantization.group_size must be an even integer in 2...65536 for 4-bit weights, "
                                  + "not \(q["group_size"].map { "\($0)" } ?? "missing")")
        }
        return (4, group)
    }

    /// This config with `changes` applied (nil values remove a key), as pretty JSON.
    public func encoded(changing changes: [String: JSONValue?] = [:]) throws -> Data {
        var json = self.json
        for (key, value) in changes { json[key] = value }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(JSONValue.object(json))
    }
}
