import BertCheckpoint
import EncoderWeights
import Foundation

/// W8A8 int8 with SmoothQuant (Xiao et al. 2023): per input channel s_j = max|X_j|^α / max|W_j|^(1-α)
/// moves range from the activations to the weights (X/s · (W·s)ᵀ = X Wᵀ), so per-token int8 loses
/// less to a few outlier channels. Where 1/s folds exactly it is folded: the attention context is
/// linear in the value rows, so the attention-output input's 1/s goes into V's rows and bias. The
/// query/key/value and FFN-up inputs are LayerNorm outputs that are also the post-LN residual
/// stream (folding 1/s into gamma and beta, as in pre-LN LLMs, would change the residual), and the
/// FFN-down input follows GELU: for these the checkpoint stores s beside the int8 weight
/// (`<weight>_smoothing`) and the engine divides the input by s in the same kernel that quantizes
/// it per token. Optionally (`outlier-channels` N > 0), the N input channels of each Linear with the
/// largest calibrated range run in fp32 beside the int8 GEMM and leave the per-token scale and the
/// per-channel weight scales alone (LLM.int8()'s mixed-precision decomposition, with the channels
/// fixed at calibration); or (`outlier-ratio` R > 0) a Linear whose smoothed input still has a
/// channel range above R times the median stays fp32 whole.
public struct SmoothQuant: CompressionTechnique {
    public static let name = "int8-smoothquant"
    public var name: String { Self.name }
    public var summary: String {
        "W8A8 with SmoothQuant smoothing of every Linear input (needs --calibration): --alpha A in (0, 1] (default 0.75), "
            + "--rounding obs|nearest (int8 weights rounded with OBS error compensation, the default, or to nearest), "
            + "--outlier-channels N (the N widest input channels of each Linear in fp32; default 0 = none), "
            + "--outlier-ratio R (fp32 for inputs still above R x median range; default 0 = none)"
    }

    static let defaultAlpha = 0.75
    static let defaultOutlierRatio = 0.0
    static let defaultOutlierChannels = 0

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["alpha", "outlier-ratio", "outlier-channels", "rounding"])
        let alpha = try Self.alpha(parameters), ratio = try Self.outlierRatio(parameters)
        let channels = try Self.outlierChannels(parameters)
        let obs = try Self.rounding(parameters) == "obs"
        if let existing = job.config.quantizationMethod {
            throw CheckpointError("\(job.path): already quantized (\(existing)); compress the fp32 checkpoint instead")
        }
        let calibration = try job.requireCalibration(for: name)
        var lines: [String] = [], keptFloat: [String] = []
        var layers = job.weights.layers
        for l in layers.indices {
            // Smoothing is exact, so every block is measured on the source weights (fp32); OBS
            // rounding also reads the grams, then scaled to the smoothed inputs.
            let statistics = obs ? try calibration.statistics(layer: l, weights: job.weights) : nil
            let ranges = try statistics?.mapValues(\.absMax) ?? calibration.ranges(layer: l, weights: job.weights)
            func range(_ point: LinearInputPoint, width: Int) throws -> [Float] {
                guard let r = ranges[point], r.count == width else {
                    throw CheckpointError("calibration gave no \(point.rawValue) ranges of width \(width) for layer \(l)")
                }
                guard channels < width else {
                    throw CheckpointError("--outlier-channels \(channels) leaves no int8 channel of layer \(l)'s \(width)-wide "
                                          + "\(point.rawValue) input")
                }
                return r
            }
            var layer = layers[l]
            let context = try range(.context, width: layer.attentionOutput.inFeatures)
            let contextOutliers = Smoothing.widest(channels, of: context)
            let folded = Smoothing.factors(activationMax: context, weights: [layer.attentionOutput], alpha: alpha, fp32: contextOutliers)
            Smoothing.fold(folded, into: &layer)
            var ratios: [String] = []
            // Each group: the Linears that read one input, that input's ranges after smoothing, the factors to store.
            // The smoothed ranges leave out the outlier channels (0), which no longer reach the int8 GEMM.
            var groups: [(name: String, linears: [HostLinear], smoothed: [Float], stored: [Float]?, gram: [Double]?, outliers: [Int])] = []
            for (name, linears, point) in [("query/key/value", [layer.query, layer.key, layer.value], LinearInputPoint.attentionInput),
                                           ("intermediate", [layer.intermediate], .ffnInput), ("output", [layer.output], .ffnActivation)] {
                let r = try range(point, width: linears[0].inFeatures)
                let outliers = Smoothing.widest(channels, of: r)
                let factors = Smoothing.factors(activationMax: r, weights: linears, alpha: alpha, fp32: outliers)
                groups.append((name, linears, Smoothing.smoothed(r, factors, without: outliers), factors,
                               statistics?[point].map { Smoothing.scaledGram($0.gram, by: factors) }, outliers))
            }
            groups.insert(("attention.output", [layer.attentionOutput], Smoothing.smoothed(context, folded, without: contextOutliers), nil,
                           statistics?[.context].map { Smoothing.scaledGram($0.gram, by: folded) }, contextOutliers), at: 1)
            var out: [String: [HostLinear]] = [:]
            for group in groups {
                let r = Smoothing.outlierRatio(group.smoothed)
                ratios.append(String(format: "%@ %.1f", group.name, r))
                if ratio > 0 && r > ratio {
                    keptFloat.append("layer \(l) \(group.name)")
                    out[group.name] = group.linears
                } else {
                    out[group.name] = try group.linears.map {
                        try Smoothing.quantized($0, smoothing: group.stored, gram: group.gram, outliers: group.outliers)
                    }
                }
            }
            layer.query = out["query/key/value"]![0]
            layer.key = out["query/key/value"]![1]
            layer.value = out["query/key/value"]![2]
            layer.attentionOutput = out["attention.output"]![0]
            layer.intermediate = out["intermediate"]![0]
            layer.output = out["output"]![0]
            layers[l] = layer
            lines.append("layer \(l) smoothed input outlier ratios (max/median of channel ranges): " + ratios.joined(separator: ", "))
        }
        job.weights.layers = layers
        job.weights.wordEmbeddings = job.weights.wordEmbeddings.quantizedPerRow()
        job.weights.positionEmbeddings = job.weights.positionEmbeddings.quantizedPerRow()
        job.changes["quantization"] = .object(["method": .string("int8"),
                                               "weights": .string("int8 symmetric, zero point 0, scale = absmax/127"),
                                               "linear_granularity": .string("per-output-channel"),
                                               "embedding_granularity": .string("per-row"),
                                               "smoothing": .string("SmoothQuant: <weight>_smoothing holds s; inputs are divided by s"),
                                               "outlier_channels": .string(channels == 0 ? "none" : "<weight>_outlier_columns (I32) lists "
                                                   + "\(channels) input channels per Linear computed in fp32 with <weight>_outlier_weight "
                                                   + "(F32 [out, n]); their int8 codes are 0"),
                                               "fp32_linears": .array(keptFloat.map { .string($0) })])
        if ratio > 0 { lines.append("kept in fp32 (outlier inputs): " + (keptFloat.isEmpty ? "none" : keptFloat.joined(separator: ", "))) }
        return lines
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        let channels = try Self.outlierChannels(parameters)
        return ["alpha": .number(try Self.alpha(parameters)), "outlier_ratio": .number(try Self.outlierRatio(parameters)),
         "outlier_channels": .number(Double(channels)),
         "smoothing": .string("s_j = max|X_j|^alpha / max|W_j|^(1-alpha) per Linear input; attention-output input folded into value "
                 + "rows and bias, the others stored as <weight>_smoothing and divided out before per-token quantization"),
         "weights": .string("int8 symmetric per output channel, " + (try Self.rounding(parameters) == "obs"
                 ? "rounded with OBS error compensation from the calibration gram (GPTQ-style)" : "rounded to nearest")),
         "activations": .string(channels == 0 ? "int8 per token, dynamic"
                 : "int8 per token, dynamic, but for the \(channels) input channels of each Linear with the largest calibrated range, "
                 + "computed in fp32 (LLM.int8()-style mixed precision, channels fixed at calibration)"),
         "recovery": .string("none (one-shot)")]
    }

    static func alpha(_ p: Parameters) throws -> Double {
        p.values["alpha"] == nil ? defaultAlpha : try p.number("alpha", in: 0.000_001..<1.000_001)
    }

    static func rounding(_ p: Parameters) throws -> String {
        try p.choice("rounding", ["nearest", "obs"], default: "obs")
    }

    static func outlierChannels(_ p: Parameters) throws -> Int {
        let n = try p.number("outlier-channels", in: 0...65536, default: Double(defaultOutlierChannels))
        guard n == n.rounded() else { throw CheckpointError("--outlier-channels must be a whole number, not \(JSONValue.number(n))") }
        return Int(n)
    }

    static func outlierRatio(_ p: Parameters) throws -> Double {
        p.values["outlier-ratio"] == nil ? defaultOutlierRatio : try p.number("outlier-ratio", in: 0..<1e9)
    }
}

/// The arithmetic of SmoothQuant's migration, apart from where it is applied.
enum Smoothing {
    /// s_j = max|X_j|^α / max_o |W_oj|^(1-α) over the rows of all `weights` (Linears sharing the
    /// input), 1 where either range is zero.
    /// The `fp32` channels (kept out of the int8 GEMM) get 1.
    static func factors(activationMax: [Float], weights: [HostLinear], alpha: Double, fp32: [Int] = []) -> [Float] {
        let cols = weights[0].inFeatures
        var weightMax = [Float](repeating: 0, count: cols)
        for weight in weights {
            let w = weight.floatWeight
            for o in 0..<weight.outFeatures { for j in 0..<cols { weightMax[j] = max(weightMax[j], abs(w[o * cols + j])) } }
        }
        var s = (0..<cols).map { j -> Float in
            let a = Double(activationMax[j]), b = Double(weightMax[j])
            guard a > 0, b > 0 else { return 1 }
            return Float(max(pow(a, alpha) / pow(b, 1 - alpha), 1e-5))
        }
        for c in fp32 { s[c] = 1 }
        return s
    }

    /// `linear` int8 per output channel; with `smoothing`, its columns multiplied by s first and s
    /// stored; with `gram` (of the smoothed input), rounded with OBS compensation, else to nearest.
    /// The `outliers` columns are kept in fp32 beside the int8 weight (unsmoothed), their codes 0:
    /// they take no part in the weight scales or the OBS compensation.
    static func quantized(_ linear: HostLinear, smoothing: [Float]?, gram: [Double]? = nil, outliers: [Int] = []) throws -> HostLinear {
        let rows = linear.outFeatures, cols = linear.inFeatures
        var w = linear.floatWeight
        let fp32 = (0..<rows).flatMap { r in outliers.map { w[r * cols + $0] } }  // unsmoothed: their inputs are not divided by s
        if let smoothing { for i in w.indices { w[i] *= smoothing[i % cols] } }
        for r in 0..<rows { for c in outliers { w[r * cols + c] = 0 } }
        var codes: [Int8], scales: [Float]
        if let gram, !outliers.isEmpty {
            // OBS on the kept columns alone: its compensation cannot move error into fp32 columns.
            let left = Set(outliers), kept = (0..<cols).filter { !left.contains($0) }
            let sub = (0..<rows).flatMap { r in kept.map { w[r * cols + $0] } }
            let subGram = kept.flatMap { i in kept.map { gram[i * cols + $0] } }
            let (subCodes, s) = try OBSRounding.int8(weight: sub, rows: rows, cols: kept.count, gram: subGram)
            codes = [Int8](repeating: 0, count: rows * cols)
            for r in 0..<rows { for (i, c) in kept.enumerated() { codes[r * cols + c] = subCodes[r * kept.count + i] } }
            scales = s
        } else if let gram {
            (codes, scales) = try OBSRounding.int8(weight: w, rows: rows, cols: cols, gram: gram)
        } else {
            (codes, scales) = Int8Quantizer.quantizeRows(w, rows: rows, cols: cols)  // zeroed fp32 columns leave the row scales alone
        }
        var out = HostLinear(stored: .int8(codes, scales: scales), bias: linear.bias, outFeatures: rows, inFeatures: cols)
        out.inputSmoothing = smoothing
        if !outliers.isEmpty {
            out.outliers = try OutlierColumns(columns: outliers.map(Int32.init), weight: fp32, outFeatures: rows, inFeatures: cols,
                                              name: "outlier channels")
        }
        return out
    }

    /// The `n` channels with the largest `range`, ascending (none when n is 0).
    static func widest(_ n: Int, of range: [Float]) -> [Int] {
        Array(range.indices.sorted { range[$0] > range[$1] || (range[$0] == range[$1] && $0 < $1) }.prefix(n)).sorted()
    }

    /// range / s per channel, 0 for the channels left out.
    static func smoothed(_ range: [Float], _ s: [Float], without left: [Int]) -> [Float] {
        var r = zip(range, s).map { $0 / $1 }
        for c in left { r[c] = 0 }
        return r
    }

    /// The gram of x / s from the gram of x: G_ij / (s_i s_j).
    static func scaledGram(_ gram: [Double], by s: [Float]) -> [Double] {
        let n = s.count
        return gram.indices.map { gram[$0] / (Double(s[$0 / n]) * Double(s[$0 % n])) }
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
