import BertCheckpoint
import EncoderWeights

/// 4-bit weight-only quantization of every encoder Linear, per (output row, group of input
/// columns), asymmetric with a zero point (`Int4Weight`): by round-to-nearest (`int4-rtn`, no
/// data) or by GPTQ (`int4-gptq`, a calibration set's input Gram matrices, block by block).
/// Word and position embeddings become int8 per row, as the int8 technique makes them (a table
/// lookup gains nothing from a 4-bit GEMM, and fp32 tables would be 47 of L6's 53 MB);
/// biases, LayerNorm, token types, pooler and classifier stay fp32.
public struct Int4Quantization: CompressionTechnique {
    /// "int4-rtn" or "int4-gptq".
    public let name: String
    /// GPTQ's error feedback (needs calibration) rather than round-to-nearest.
    public let usesGPTQ: Bool

    /// Round-to-nearest per group: the baseline.
    public static let rtn = Int4Quantization(name: "int4-rtn", usesGPTQ: false)
    /// GPTQ with a calibration set.
    public static let gptq = Int4Quantization(name: "int4-gptq", usesGPTQ: true)

    public var summary: String {
        usesGPTQ ? "4-bit weights by GPTQ (needs --calibration): --group-size G (128), --damp D (0.01), --act-order"
            : "4-bit weights rounded to nearest per group: --group-size G (128)"
    }

    /// The settings `parameters` ask for, checked.
    func options(_ parameters: Parameters) throws -> GPTQ.Options {
        try parameters.only(usesGPTQ ? ["group_size", "damp", "act_order"] : ["group_size"])
        let group = try parameters.number("group_size", in: 2...65536, default: 128)
        guard group == group.rounded(), Int(group) % 2 == 0 else {
            throw CheckpointError("--group-size must be an even integer, not \(JSONValue.number(group))")
        }
        return GPTQ.Options(groupSize: Int(group), damp: try parameters.number("damp", in: 1e-6...10, default: 0.01),
                            actOrder: try parameters.flag("act_order"))
    }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        let options = try options(parameters)
        if let existing = job.config.quantizationMethod {
            throw CheckpointError("\(job.path): already quantized (\(existing)); compress the fp32 checkpoint instead")
        }
        let calibration = usesGPTQ ? try job.requireCalibration(for: name) : nil
        // Embeddings first, so the blocks are calibrated on the inputs the compressed model will see.
        job.weights.wordEmbeddings = job.weights.wordEmbeddings.quantizedPerRow()
        job.weights.positionEmbeddings = job.weights.positionEmbeddings.quantizedPerRow()
        var lines: [String] = []
        for l in job.weights.layers.indices {
            let layer = job.weights.layers[l]
            if let calibration {
                let statistics = try calibration.statistics(layer: l, weights: job.weights)
                var errors: [String] = []
                job.weights.layers[l] = try Self.gptqLayer(layer, statistics: statistics, options: options, label: "layer \(l)") {
                    errors.append($0)
                }
                lines.append("layer \(l) output error ||X(W-Ŵ)ᵀ||² / ||XWᵀ||², GPTQ vs round-to-nearest: " + errors.joined(separator: ", "))
            } else {
                job.weights.layers[l] = try layer.mapLinearsThrowing { try $0.quantizedInt4(groupSize: options.groupSize) }
            }
        }
        job.changes["quantization"] = .object(quantizationRecord(options))
        lines.append("quantized \(job.weights.layers.count * 6) Linear weights to 4 bits in groups of \(options.groupSize) input columns "
                     + "(\(usesGPTQ ? "GPTQ" : "round to nearest")), the word/position embeddings to int8 per row")
        return lines
    }

    /// config.json's `quantization` record: what the loader and the engine read (bits, group size).
    func quantizationRecord(_ options: GPTQ.Options) -> [String: JSONValue] {
        ["method": .string(name), "bits": .number(4), "group_size": .number(Double(options.groupSize)), "symmetric": .bool(false),
         "weights": .string("4-bit codes 0..15 packed two per byte (low nibble = even input column), w = scale * (code - zero) "
                            + "per output row and group of input columns; scale F32, zero U8"),
         "linear_granularity": .string("per-output-channel, per-group"), "embedding_granularity": .string("int8 per-row")]
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        let options = try options(parameters)
        var record: [String: JSONValue] = ["weights": .string("int4 asymmetric per (output row, group of \(options.groupSize) inputs)"),
                                           "embeddings": .string("int8 per row"), "activations": .string("fp32"),
                                           "algorithm": .string(usesGPTQ ? "GPTQ (Frantar et al. 2022), sequential by block" : "round to nearest")]
        if usesGPTQ {
            record["damp"] = .number(options.damp)
            record["act_order"] = .bool(options.actOrder)
        }
        return record
    }

    /// One block quantized by GPTQ from its measured inputs; `report` receives each Linear's errors.
    static func gptqLayer(_ layer: HostLayer, statistics: [LinearInputPoint: LinearInputStatistics], options: GPTQ.Options,
                          label: String, report: (String) -> Void) throws -> HostLayer {
        func quantize(_ linear: HostLinear, _ point: LinearInputPoint, _ name: String) throws -> HostLinear {
            guard let stats = statistics[point] else { throw CheckpointError("\(label): calibration gave no statistics for \(point.rawValue)") }
            guard stats.width == linear.inFeatures else {
                throw CheckpointError("\(label).\(name): calibration input is \(stats.width) wide, the weight takes \(linear.inFeatures)")
            }
            let w = linear.floatWeight
            let q = try GPTQ.quantize(w, rows: linear.outFeatures, cols: linear.inFeatures, gram: stats.gram, options: options,
                                      label: "\(label).\(name)")
            let rtn = try Int4Quantizer.roundToNearest(w, rows: linear.outFeatures, cols: linear.inFeatures, groupSize: options.groupSize)
            let energy = max(GPTQ.outputError(w, [Float](repeating: 0, count: w.count), rows: linear.outFeatures, cols: linear.inFeatures,
                                              gram: stats.gram), .leastNormalMagnitude)
            func relative(_ x: Int4Weight) -> Double {
                GPTQ.outputError(w, x.dequantized, rows: linear.outFeatures, cols: linear.inFeatures, gram: stats.gram) / energy
            }
            report("\(name) \(formatRatio(relative(q))) vs \(formatRatio(relative(rtn)))")
            return HostLinear(stored: .int4(q), bias: linear.bias, outFeatures: linear.outFeatures, inFeatures: linear.inFeatures)
        }
        return HostLayer(query: try quantize(layer.query, .attentionInput, "query"), key: try quantize(layer.key, .attentionInput, "key"),
                         value: try quantize(layer.value, .attentionInput, "value"),
                         attentionOutput: try quantize(layer.attentionOutput, .context, "attention.output"),
                         attentionNorm: layer.attentionNorm, intermediate: try quantize(layer.intermediate, .ffnInput, "intermediate"),
                         output: try quantize(layer.output, .ffnActivation, "output"), outputNorm: layer.outputNorm, heads: layer.heads)
    }

    private static func formatRatio(_ x: Double) -> String { String(format: "%.2e", x) }
}

extension HostLayer {
    /// This layer with a throwing `transform` applied to each of its six Linear layers.
    func mapLinearsThrowing(_ transform: (HostLinear) throws -> HostLinear) throws -> HostLayer {
        HostLayer(query: try transform(query), key: try transform(key), value: try transform(value),
                  attentionOutput: try transform(attentionOutput), attentionNorm: attentionNorm,
                  intermediate: try transform(intermediate), output: try transform(output), outputNorm: outputNorm, heads: heads)
    }
}
