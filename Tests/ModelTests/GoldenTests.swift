import BertKernels
import BertModel
import BertTokens
import Foundation
import Testing

/// Outputs that nobody in this project wrote: onnxruntime on the models' own ONNX files, with
/// token ids from the `tokenizers` library (scripts/make_model_goldens.py wrote the files).
struct Golden: Decodable {
    struct Item: Decodable {
        let text: String
        let ids: [Int32]
        let mean_pooled: [Float]
        let first_tokens: [[Float]]
    }
    let model: String
    let onnxruntime: String
    let max_length: Int
    let items: [Item]

    static func load(_ name: String) throws -> Golden {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }
}

func assetModel(_ name: String) -> URL { repositoryRoot.appendingPathComponent("assets/models/\(name)") }

/// Pads `items` into one batch, the way the embed command does.
func paddedBatch(_ items: [Golden.Item]) -> TokenBatch {
    let seq = items.map(\.ids.count).max()!
    var ids = [Int32](), mask = [Int32]()
    for item in items {
        ids += item.ids + [Int32](repeating: 0, count: seq - item.ids.count)
        mask += [Int32](repeating: 1, count: item.ids.count) + [Int32](repeating: 0, count: seq - item.ids.count)
    }
    return TokenBatch(ids: ids, attentionMask: mask, batchSize: items.count, sequenceLength: seq)
}

extension OnDevice {
    @Suite struct GoldenModels {
        /// Runs every golden sentence alone and all of them as one padded batch; both must match.
        func check(model: String, golden name: String, minimumCosine: Double, maxAbs: Float) throws {
            let golden = try Golden.load(name)
            let loaded = try ModelLoader.load(assetModel(model), kernels: TestDevice.kernels)
            let h = loaded.encoder.shape.hiddenSize
            let batch = try loaded.encoder.forward(paddedBatch(golden.items), outputs: [.pooled])
            var worstCosine = 1.0
            var worstAbs: Float = 0
            for (b, item) in golden.items.enumerated() {
                let input = TokenBatch(ids: item.ids, attentionMask: [Int32](repeating: 1, count: item.ids.count),
                                         batchSize: 1, sequenceLength: item.ids.count)
                let alone = try loaded.encoder.forward(input, outputs: [.pooled, .lastHiddenState])
                for pooled in [alone.meanPooled!, Array(EncoderOutput.row(batch.meanPooled!, b, width: h))] {
                    let c = cosine(pooled, item.mean_pooled)
                    worstCosine = min(worstCosine, c)
                    worstAbs = max(worstAbs, zip(pooled, item.mean_pooled).map { abs($0 - $1) }.max()!)
                    #expect(c >= minimumCosine, "\(model): '\(item.text.prefix(40))' pooled cosine \(c)")
                }
                for (t, row) in item.first_tokens.enumerated() {
                    let mine = alone.lastHiddenState![(t * h)..<((t + 1) * h)]
                    worstAbs = max(worstAbs, zip(mine, row).map { abs($0 - $1) }.max()!)
                }
            }
            #expect(worstAbs <= maxAbs, "\(model): max abs error \(worstAbs)")
            print("golden \(model) vs onnxruntime \(golden.onnxruntime): \(golden.items.count) sentences, worst pooled cosine \(worstCosine), max "
                    + "abs error \(worstAbs)")
        }

        @Test func l3MatchesOnnxRuntime() throws {
            try check(model: "paraphrase-MiniLM-L3-v2", golden: "golden_l3", minimumCosine: 0.9999, maxAbs: 1e-4)
        }

        @Test func externalInt8MatchesOnnxRuntime() throws {
            try check(model: "all-MiniLM-L6-v2-int8", golden: "golden_l6_int8", minimumCosine: 0.9999, maxAbs: 1e-4)
        }

        @Test func l6FP32AgreesWithTheInt8GoldenWithinQuantizationError() throws {
            // The fp32 L6 against onnxruntime on its int8 version: the gap is the quantization error.
            try check(model: "all-MiniLM-L6-v2", golden: "golden_l6_int8", minimumCosine: 0.99, maxAbs: 0.5)
        }
    }
}
