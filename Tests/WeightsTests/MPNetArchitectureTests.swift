import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation
import Support
import Testing

/// MPNet read without a device: its config fields, keys and relative-position bias, and what
/// compression keeps of them.
@Suite struct MPNetArchitectureChecks {
    @Test func syntheticMPNetLoadsWithItsPositionsAndRelativeBias() throws {
        let url = try synthetic("mpnet-tiny", seed: 5, in: try scratch())
        let checkpoint = try Checkpoint(directory: url)
        #expect(checkpoint.config.architecture.name == "mpnet" && checkpoint.config.typeVocabSize == 0)
        #expect(checkpoint.config.positionOffset == 2)
        #expect(checkpoint.config.relativeAttention?.buckets == 32 && checkpoint.config.relativeAttention?.maxDistance == 128)
        #expect(checkpoint.layout.layers[1].attentionOutput.weight == "encoder.layer.1.attention.attn.o.weight")
        #expect(checkpoint.layout.tokenTypeEmbeddings == nil)
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        let bias = try #require(weights.relativeAttentionBias)
        #expect(bias.buckets == 32 && bias.heads == 4)
        #expect(bias.table == (try checkpoint.floats("encoder.relative_attention_bias.weight")))
        let count = checkpoint.file.tensors.values.map { $0.shape.reduce(1, *) }.reduce(0, +)
        #expect(count == SyntheticCheckpoint.parameterCount(try SyntheticCheckpoint.preset(named: "mpnet-tiny")))
    }

    /// Expanded per distance, entry (h, j - i + S - 1) is table[bucket(j - i), h].
    @Test func perDistanceBiasReadsTheTableThroughTheBuckets() {
        let heads = 3, buckets = 32
        let table = (0..<(buckets * heads)).map { Float($0) }
        let bias = HostRelativeBias(table: table, buckets: buckets, heads: heads, maxDistance: 128)
        let length = 200, span = 2 * length - 1
        let expanded = bias.perDistance(length: length)
        #expect(expanded.count == heads * span)
        for h in 0..<heads {
            for relative in [-199, -130, -20, -8, -7, -1, 0, 1, 7, 8, 16, 31, 32, 127, 128, 199] {
                let bucket = HostRelativeBias.bucket(relative: relative, buckets: buckets, maxDistance: 128)
                #expect(expanded[h * span + relative + length - 1] == table[bucket * heads + h])
            }
        }
        // Exact buckets near 0, one per direction; far distances share each direction's last bucket.
        #expect(HostRelativeBias.bucket(relative: 0, buckets: 32, maxDistance: 128) == 0)
        #expect(HostRelativeBias.bucket(relative: -3, buckets: 32, maxDistance: 128) == 3)
        #expect(HostRelativeBias.bucket(relative: 3, buckets: 32, maxDistance: 128) == 19)
        #expect(HostRelativeBias.bucket(relative: -500, buckets: 32, maxDistance: 128) == 15)
        #expect(HostRelativeBias.bucket(relative: 500, buckets: 32, maxDistance: 128) == 31)
    }

    @Test func droppingLayersKeepsTheSharedRelativeBias() throws {
        let url = try synthetic("mpnet-tiny", seed: 6, in: try scratch())
        let dropped = try scratch().appendingPathComponent("mpnet-dropped")
        try Compressor.compress(source: url, target: dropped, method: .dropLayers(keep: [1]))
        let original = try HostEncoderWeights(checkpoint: try Checkpoint(directory: url))
        let result = try Checkpoint(directory: dropped)
        #expect(result.config.layerCount == 1 && result.config.positionOffset == 2)
        #expect(try HostEncoderWeights(checkpoint: result).relativeAttentionBias == original.relativeAttentionBias)
    }

    /// The shared bias has a column per original head: per-layer head pruning is refused, in one line.
    @Test func headPruningIsRefusedForASharedRelativeBias() throws {
        let url = try synthetic("mpnet-tiny", seed: 8, in: try scratch())
        let target = try scratch().appendingPathComponent("mpnet-heads")
        let error = #expect(throws: CheckpointError.self) {
            try Compressor.compress(source: url, target: target, method: .pruneHeads(fraction: 0.5))
        }
        #expect(error?.description.contains("MPNet shares one relative-position bias") == true)
        #expect(error?.description.contains("\n") == false)
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func aMissingBiasTableOrBadBucketCountIsOneLineNamingIt() throws {
        let url = try synthetic("mpnet-tiny", seed: 7, in: try scratch())
        let noBias = try scratch().appendingPathComponent("no-bias")
        try rewrite(url, to: noBias, key: { $0 == "encoder.relative_attention_bias.weight" ? "unrelated.weight" : $0 }, config: { $0 },
                    extra: { _ in })
        let missing = #expect(throws: CheckpointError.self) { _ = try Checkpoint(directory: noBias) }
        #expect(missing?.description.contains("missing tensor encoder.relative_attention_bias.weight") == true)
        var json = try configJSON(url)
        json["relative_attention_num_buckets"] = .number(30)
        let bad = #expect(throws: CheckpointError.self) { _ = try BertConfig(json: json, path: "m/config.json") }
        #expect(bad?.description.contains("m/config.json: relative_attention_num_buckets must be a multiple of 4") == true)
        #expect(bad?.description.contains("\n") == false)
    }
}
