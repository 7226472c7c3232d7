import BertCheckpoint
import EncoderWeights
import Foundation

/// W8A8 int8 with SmoothQuant (Xiao et al. 2023) where it can be folded, and mixed precision where
/// it cannot. Per input channel s_j = max|X_j|^α / max|W_j|^(1-α) moves range from activations to
/// weights. In a post-LayerNorm encoder (BERT) only the attention-output input can be smoothed
/// exactly: the context is linear in the value rows, so 1/s folds into V's rows and bias. The
/// query/key/value and FFN-up inputs are LayerNorm outputs that also carry the residual stream
/// (folding 1/s into gamma and beta would change the residual), and the FFN-down input follows
/// GELU; these keep the engine's per-token dynamic scales, and a Linear whose calibrated input
/// has outlier channels (max over channels of max|X_j| above `outlier-ratio` times their median)
/// stays fp32, as LLM.int8() keeps outliers in higher precision, here at Linear granularity.
public struct SmoothQuant: CompressionTechnique {
    public static let name = "int8-smoothquant"
    public var name: String { Self.name }
    public var summary: String {
        "W8A8 with SmoothQuant on the attention-output input and fp32 for outlier inputs (needs --calibration): "
            + "--alpha A in (0, 1] (default 0.5), --outlier-ratio R (default 25; 0 keeps none)"
    }

    static let defaultAlpha = 0.5
    static let defaultOutlierRatio = 25.0

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["alpha", "outlier-ratio"])
        let alpha = try Self.alpha(parameters), ratio = try Self.outlierRatio(parameters)
        if let existing = job.config.quantizationMethod {
            throw CheckpointError("\(job.path): already quantized (\(existing)); compress the fp32 checkpoint instead")
        }
        let calibration = try job.requireCalibration(for: name)
        var lines: [String] = [], keptFloat: [String] = []
        var layers = job.weights.layers
        for l in layers.indices {
            // Smoothing is exact, so every block can be measured on the source weights.
            let ranges = try calibration.ranges(layer: l, weights: job.weights)
            var layer = layers[l]
            guard let context = ranges[.context], context.count == layer.attentionOutput.inFeatures else {
                throw CheckpointError("calibration gave no context ranges for layer \(l)")
            }
            let s = Smoothing.factors(activationMax: context, weight: layer.attentionOutput, alpha: alpha)
            Smoothing.fold(s, into: &layer)
            let smoothed = zip(context, s).map { $0 / $1 }
            let inputs: [(String, [Float]?)] = [("query/key/value", ranges[.attentionInput]), ("attention.output", smoothed),
                                                ("intermediate", ranges[.ffnInput]), ("output", ranges[.ffnActivation])]
            var keep = Set<String>()
            var ratios: [String] = []
            for (linear, range) in inputs {
                guard let range else { throw CheckpointError("calibration gave no ranges for layer \(l)'s \(linear) input") }
                let r = Smoothing.outlierRatio(range)
                ratios.append(String(format: "%@ %.1f", linear, r))
                if ratio > 0 && r > ratio { keep.insert(linear); keptFloat.append("layer \(l) \(linear)") }
            }
            let q = { (linear: HostLinear, key: String) in keep.contains(key) ? linear : linear.quantizedPerOutputChannel() }
            layer.query = q(layer.query, "query/key/value")
            layer.key = q(layer.key, "query/key/value")
            layer.value = q(layer.value, "query/key/value")
            layer.attentionOutput = q(layer.attentionOutput, "attention.output")
            layer.intermediate = q(layer.intermediate, "intermediate")
            layer.output = q(layer.output, "output")
            layers[l] = layer
            lines.append("layer \(l) input outlier ratios (max/median of channel ranges): " + ratios.joined(separator: ", "))
        }
        job.weights.layers = layers
        job.weights.wordEmbeddings = job.weights.wordEmbeddings.quantizedPerRow()
        job.weights.positionEmbeddings = job.weights.positionEmbeddings.quantizedPerRow()
        job.changes["quantization"] = .object(["method": .string("int8"),
                                               "weights": .string("int8 symmetric, zero point 0, scale = absmax/127"),
                                               "linear_granularity": .string("per-output-channel"),
                                               "embedding_granularity": .string("per-row"),
                                               "fp32_linears": .array(keptFloat.map { .string($0) })])
        lines.append("kept in fp32 (outlier inputs): " + (keptFloat.isEmpty ? "none" : keptFloat.joined(separator: ", ")))
        return lines
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["alpha": .number(try Self.alpha(parameters)), "outlier_ratio": .number(try Self.outlierRatio(parameters)),
         "smoothing": .string("s_j = max|X_j|^alpha / max|W_j|^(1-alpha) on the attention-output input, folded into value rows and bias"),
         "unsmoothed": .string("query/key/value, intermediate, output inputs: per-token dynamic int8, fp32 where outlier ratio > limit"),
         "weights": .string("int8 symmetric per output channel"), "activations": .string("int8 per token, dynamic"),
         "recovery": .string("none (one-shot)")]
    }

    static func alpha(_ p: Parameters) throws -> Double {
        p.values["alpha"] == nil ? defaultAlpha : try p.number("alpha", in: 0.000_001..<1.000_001)
    }

    static func outlierRatio(_ p: Parameters) throws -> Double {
        p.values["outlier-ratio"] == nil ? defaultOutlierRatio : try p.number("outlier-ratio", in: 0..<1e9)
    }
}

/// The arithmetic of SmoothQuant's migration, apart from where it is applied.
enum Smoothing {
    /// s_j = max|X_j|^α / max_o |W_oj|^(1-α), 1 where either range is zero.
    static func factors(activationMax: [Float], weight: HostLinear, alpha: Double) -> [Float] {
        let w = weight.floatWeight, cols = weight.inFeatures
        var weightMax = [Float](repeating: 0, count: cols)
        for o in 0..<weight.outFeatures { for j in 0..<cols { weightMax[j] = max(weightMax[j], abs(w[o * cols + j])) } }
        return (0..<cols).map { j in
            let a = Double(activationMax[j]), b = Double(weightMax[j])
            guard a > 0, b > 0 else { return 1 }
            return Float(max(pow(a, alpha) / pow(b, 1 - alpha), 1e-5))
        }
    }

    /// Divides the context channels by s (value rows and bias) and multiplies the attention
    /// output's input columns by s: the block computes the same function.
    static func fold(_ s: [Float], into layer: inout HostLayer) {
        var v = layer.value.floatWeight, vb = layer.value.bias
        let vin = layer.value.inFeatures
        for j in 0..<layer.value.outFeatures {
            for i in 0..<vin { v[j * vin + i] /= s[j] }
            vb[j] /= s[j]
        }
        layer.value = HostLinear(weight: v, bias: vb, outFeatures: layer.value.outFeatures, inFeatures: vin)
        var o = layer.attentionOutput.floatWeight
        let cols = layer.attentionOutput.inFeatures
        for r in 0..<layer.attentionOutput.outFeatures { for j in 0..<cols { o[r * cols + j] *= s[j] } }
        layer.attentionOutput = HostLinear(weight: o, bias: layer.attentionOutput.bias, outFeatures: layer.attentionOutput.outFeatures,
                                           inFeatures: cols)
    }

    /// max_j range_j / median_j range_j: how far the largest channel stands out.
    static func outlierRatio(_ range: [Float]) -> Double {
        let sorted = range.sorted()
        guard let top = sorted.last, !sorted.isEmpty else { return 0 }
        let median = Double(sorted[sorted.count / 2])
        return median > 0 ? Double(top) / median : 0
    }
}
