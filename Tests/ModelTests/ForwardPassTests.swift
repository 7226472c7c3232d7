import BertKernels
import BertModel
import BertTokens
import EncoderWeights
import Foundation
import OpenCLRuntime
import Testing

/// Random weights for a tiny encoder; `headsPerLayer` lets layers differ, as after head pruning.
func randomTinyWeights(hidden: Int = 24, headDim: Int = 8, headsPerLayer: [Int] = [3, 2], intermediate: [Int] = [40, 29],
                       vocab: Int = 50, positions: Int = 16, int8Embeddings: Bool = false, seed: UInt64 = 1) -> (HostEncoderWeights, EncoderShape) {
    var rng = SeededGenerator(seed: seed)
    func values(_ n: Int, _ scale: Float = 0.3) -> [Float] { (0..<n).map { _ in Float.random(in: -scale...scale, using: &rng) } }
    func linear(_ out: Int, _ inp: Int) -> HostLinear { HostLinear(weight: values(out * inp), bias: values(out, 0.1), outFeatures: out, inFeatures: inp) }
    func norm() -> HostNorm { HostNorm(gamma: values(hidden, 0.2).map { $0 + 1 }, beta: values(hidden, 0.1)) }
    func table(_ rows: Int) -> HostTable {
        if int8Embeddings {
            return .int8((0..<(rows * hidden)).map { _ in Int8.random(in: -127...127, using: &rng) },
                         scales: values(rows, 0.01).map { abs($0) + 0.001 }, rows: rows, width: hidden)
        }
        return .float(values(rows * hidden), rows: rows, width: hidden)
    }
    let layers = zip(headsPerLayer, intermediate).map { heads, inter in
        HostLayer(query: linear(heads * headDim, hidden), key: linear(heads * headDim, hidden), value: linear(heads * headDim, hidden),
                  attentionOutput: linear(hidden, heads * headDim), attentionNorm: norm(),
                  intermediate: linear(inter, hidden), output: linear(hidden, inter), outputNorm: norm(), heads: heads)
    }
    let weights = HostEncoderWeights(wordEmbeddings: table(vocab), positionEmbeddings: table(positions),
                                     tokenTypeEmbeddings: values(2 * hidden), embeddingNorm: norm(), layers: layers,
                                     pooler: nil,
                                     head: HostClassifierHead(first: linear(hidden, hidden), activation: .tanh, classifier: linear(3, hidden)))
    let shape = EncoderShape(hiddenSize: hidden, headDim: headDim, layerCount: layers.count, vocabSize: vocab,
                             maxPositions: positions, typeVocabSize: 2, layerNormEps: 1e-12)
    return (weights, shape)
}

func maxAbsDifference(_ a: ArraySlice<Float>, _ b: [Double]) -> Double {
    zip(a, b).map { $0.isFinite ? abs(Double($0) - $1) : .infinity }.max() ?? 0
}

extension OnDevice {
    @Suite struct ForwardPass {
        @Test(arguments: [false, true])
        func paddedBatchMatchesPerSequenceReference(int8Embeddings: Bool) throws {
            let (weights, shape) = randomTinyWeights(int8Embeddings: int8Embeddings)
            let encoder = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels)
            var rng = SeededGenerator(seed: 9)
            let lengths = [7, 2, 11, 1]
            let seq = lengths.max()!
            var ids = [Int32](), mask = [Int32](), types = [Int32]()
            for length in lengths {
                for s in 0..<seq {
                    ids.append(s < length ? Int32.random(in: 0..<Int32(shape.vocabSize), using: &rng) : 0)
                    mask.append(s < length ? 1 : 0)
                    types.append(s < length ? Int32.random(in: 0...1, using: &rng) : 0)
                }
            }
            let input = TokenBatch(ids: ids, attentionMask: mask, tokenTypes: types, batchSize: lengths.count, sequenceLength: seq)
            let output = try encoder.forward(input, outputs: [.pooled, .lastHiddenState, .allHiddenStates])
            let h = shape.hiddenSize
            #expect(output.hiddenStates?.count == shape.layerCount + 1)
            for (b, length) in lengths.enumerated() {
                let rowIDs = Array(ids[(b * seq)..<(b * seq + length)]), rowTypes = Array(types[(b * seq)..<(b * seq + length)])
                let states = ReferenceEncoder.hiddenStates(weights, shape: shape, ids: rowIDs, types: rowTypes)
                for (layer, state) in states.enumerated() {
                    let device = output.hiddenStates![layer]
                    for t in 0..<length {
                        let diff = maxAbsDifference(device[((b * seq + t) * h)..<((b * seq + t + 1) * h)], state[t])
                        #expect(diff < 2e-4, "row \(b) token \(t) layer \(layer): max abs difference \(diff)")
                    }
                }
                let last = states.last!
                let mean = (0..<h).map { c in last.map { $0[c] }.reduce(0, +) / Double(length) }
                #expect(maxAbsDifference(EncoderOutput.row(output.meanPooled!, b, width: h), mean) < 2e-4)
                #expect(maxAbsDifference(EncoderOutput.row(output.cls!, b, width: h), last[0]) < 2e-4)
                // logits = classifier(tanh(pooler(cls)))
                guard let head = weights.head, head.activation == .tanh else { Issue.record("no tanh head"); return }
                let pooled = ReferenceEncoder.linear([last[0]], head.first).map { $0.map { tanh($0) } }
                let logits = ReferenceEncoder.linear(pooled, head.classifier)[0]
                #expect(maxAbsDifference(EncoderOutput.row(output.logits!, b, width: 3), logits) < 2e-4)
            }
        }

        @Test func sameResultWhenBatchedOrAlone() throws {
            // Padding must not leak into real tokens: a sequence alone and inside a padded batch agree.
            let (weights, shape) = randomTinyWeights(seed: 4)
            let encoder = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels)
            let alone = try encoder.forward(TokenBatch(ids: [1, 5, 9], attentionMask: [1, 1, 1], batchSize: 1, sequenceLength: 3))
            let batched = try encoder.forward(TokenBatch(ids: [3, 4, 0, 0, 0, 0, 1, 5, 9, 0, 0, 0],
                                                           attentionMask: [1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0], batchSize: 2, sequenceLength: 6))
            let h = shape.hiddenSize
            #expect(maxAbsDifference(EncoderOutput.row(batched.meanPooled!, 1, width: h), alone.meanPooled!.map(Double.init)) < 1e-5)
        }

        @Test func badInputsAreRefusedWithTheirPosition() throws {
            let (weights, shape) = randomTinyWeights(seed: 5)
            let encoder = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels)
            let badID = #expect(throws: EncoderInputError.self) {
                try encoder.forward(TokenBatch(ids: [1, 2, 50, 3], attentionMask: [1, 1, 1, 1], batchSize: 2, sequenceLength: 2))
            }
            #expect(badID?.description.contains("batch row 1, position 0") == true)
            #expect(throws: EncoderInputError.self) {
                try encoder.forward(TokenBatch(ids: [Int32](repeating: 1, count: 17), attentionMask: [Int32](repeating: 1, count: 17),
                                                 batchSize: 1, sequenceLength: 17))
            }
            #expect(throws: EncoderInputError.self) {
                try encoder.forward(TokenBatch(ids: [1, 2], attentionMask: [1, 1], tokenTypes: [0, 2], batchSize: 1, sequenceLength: 2))
            }
        }
    }
}
