import BertModel
import BertTokens
import EncoderWeights
import Foundation
import Testing

/// What Hugging Face `transformers`' MPNetModel (PyTorch) computes on all-mpnet-base-v2
/// (scripts/make_mpnet_reference.py wrote it; its header names the versions).
struct MPNetReference: Decodable {
    struct Sentence: Decodable {
        let text: String
        let ids: [Int32]
        /// Mean-pooled over the mask, then L2-normalised (sentence-transformers' modules for this model).
        let embedding: [Float]
        let hidden_positions: [Int]
        /// Hidden states after the first layer and after the last, at `hidden_positions`, first features.
        let layer1: [[Float]]
        let last: [[Float]]
    }
    let versions: [String: String]
    let relative_positions: [Int]
    let relative_buckets: [Int]
    let sentences: [Sentence]

    static func load() throws -> MPNetReference {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/mpnet-reference", withExtension: "json"))
        return try JSONDecoder().decode(MPNetReference.self, from: Data(contentsOf: url))
    }
}

/// The MPNet checkpoint fetched by scripts/setup (438 MB), when present.
let mpnetModel = assetModel("all-mpnet-base-v2")
let mpnetPresent = FileManager.default.fileExists(atPath: mpnetModel.appendingPathComponent("model.safetensors").path)

/// a / |a|, in double precision.
func normalized(_ a: [Float]) -> [Float] {
    let norm = a.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
    return a.map { Float(Double($0) / norm) }
}

@Suite struct MPNetBuckets {
    /// Every distance -600...600 falls in the bucket MPNet's own relative_position_bucket gives.
    @Test func relativeBucketsMatchTransformers() throws {
        let reference = try MPNetReference.load()
        #expect(reference.relative_positions.count == 1201)
        var wrong: [Int] = []
        for (relative, bucket) in zip(reference.relative_positions, reference.relative_buckets)
        where HostRelativeBias.bucket(relative: relative, buckets: 32, maxDistance: 128) != bucket {
            wrong.append(relative)
        }
        #expect(wrong.isEmpty, "distances in the wrong bucket: \(wrong.prefix(10))")
        // Every bucket is reached but 16: "key after query at distance 0" cannot happen.
        #expect(Set(reference.relative_buckets) == Set(0..<32).subtracting([16]))
    }
}

extension OnDevice {
    @Suite(.enabled(if: mpnetPresent, "assets/models/all-mpnet-base-v2 is absent: run scripts/setup to fetch MPNet (438 MB)"))
    struct MPNetAgainstTransformers {
        @Test func tokenIdsMatchTheReference() throws {
            let reference = try MPNetReference.load()
            let tokenizer = try WordPieceTokenizer(directory: mpnetModel)
            for sentence in reference.sentences {
                #expect(tokenizer.encode(sentence.text, maxLength: 512) == sentence.ids, "\(sentence.text.prefix(40))")
            }
        }

        /// Each sentence alone and all of them as one padded batch: the pooled, normalised
        /// embedding within cosine 0.9999 of transformers', hidden states within 2e-3.
        @Test func forwardPassMatchesTransformers() throws {
            let reference = try MPNetReference.load()
            let loaded = try ModelLoader.load(mpnetModel, kernels: TestDevice.kernels)
            let encoder = loaded.encoder, h = encoder.shape.hiddenSize
            #expect(encoder.shape.positionOffset == 2 && encoder.shape.typeVocabSize == 0)
            let batch = try encoder.forward(TokenBatch(rows: reference.sentences.map(\.ids), padID: 1), outputs: [.pooled])
            var worstCosine = 1.0, worstHidden: Float = 0
            for (b, sentence) in reference.sentences.enumerated() {
                let n = sentence.ids.count
                let input = TokenBatch(ids: sentence.ids, attentionMask: [Int32](repeating: 1, count: n), batchSize: 1, sequenceLength: n)
                let alone = try encoder.forward(input, outputs: [.pooled, .allHiddenStates])
                for pooled in [alone.meanPooled!, Array(EncoderOutput.row(batch.meanPooled!, b, width: h))] {
                    let c = cosine(normalized(pooled), sentence.embedding)
                    worstCosine = min(worstCosine, c)
                    #expect(c >= 0.9999, "'\(sentence.text.prefix(40))' (\(n) tokens): pooled cosine \(c)")
                }
                let states = try #require(alone.hiddenStates)
                for (layer, rows) in [(1, sentence.layer1), (encoder.shape.layerCount, sentence.last)] {
                    for (position, row) in zip(sentence.hidden_positions, rows) {
                        let mine = states[layer][(position * h)..<(position * h + row.count)]
                        worstHidden = max(worstHidden, zip(mine, row).map { abs($0 - $1) }.max()!)
                    }
                }
            }
            #expect(worstHidden <= 2e-3, "max abs error on hidden states \(worstHidden)")
            print("mpnet vs transformers \(reference.versions["transformers"] ?? "?") (torch \(reference.versions["torch"] ?? "?")): "
                  + "\(reference.sentences.count) sentences, worst pooled cosine \(worstCosine), max abs hidden error \(worstHidden)")
        }
    }
}
