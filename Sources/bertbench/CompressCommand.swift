import ArgumentParser
import BertCalibration
import BertCheckpoint
import BertCompression
import BertExperiments
import Foundation
import Support

/// `bertbench compress`: a checkpoint in, a compressed checkpoint out, one method per run.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Write a compressed copy of a checkpoint: " + CompressionRegistry.all.map(\.name).joined(separator: ", ") + ".")

    @Option(help: "Source model directory.") var model: String
    @Option(help: "Output directory (must not exist).") var out: String
    @Option(help: ArgumentHelp("The technique: " + CompressionRegistry.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ") + "."))
    var method: String
    @Option(help: "prune-unstructured: share of weights set to zero, in [0, 1).") var sparsity: Double?
    @Option(help: "prune-unstructured: one threshold over all layers (global, the default) or per matrix (layer).") var scope: String?
    @Option(help: "prune-heads / prune-ffn: share of heads or neurons removed per layer, in [0, 1).") var fraction: Double?
    @Option(help: "drop-layers: teacher layers to keep, e.g. 0,2,4.") var keep: String?
    @Option(help: "drop-layers: keep every N-th layer starting at 0 (instead of --keep).") var every: Int?
    @Option(help: "int4-rtn / int4-gptq: input columns per scale and zero point (even; default 128).") var groupSize: Int?
    @Option(help: "int4-gptq: dampening, as a share of the mean diagonal of the input Gram matrix (default 0.01).") var damp: Double?
    @Flag(help: "int4-gptq: quantize columns in order of decreasing input energy (act-order, static groups).") var actOrder = false
    @Option(help: "prune-sparsegpt: semi-structured pattern N:M (N of every M inputs zero), instead of --sparsity.") var pattern: String?
    @Option(help: "int8-smoothquant: migration strength alpha in (0, 1] (default 0.75).") var alpha: Double?
    @Option(help: "int8-smoothquant: keep a Linear fp32 when its input's largest channel range exceeds R times the median (default 0: none).")
    var outlierRatio: Double?
    @Option(help: ArgumentHelp("int8-smoothquant: run the N input channels of each Linear with the largest calibrated range in fp32 "
                               + "beside the int8 GEMM (LLM.int8()-style mixed precision; default 0: none).", valueName: "n"))
    var outlierChannels: Int?
    @Option(help: "int8-smoothquant: int8 weight rounding, obs (error-compensated from the calibration gram, default) or nearest.")
    var rounding: String?
    @Flag(help: "prune-heads / prune-ffn: refit the output projection by least squares on the calibration set.") var refit = false
    @Option(help: ArgumentHelp("Calibration texts for calibrated methods: one text per line (a .tsv gives its 'text' column).",
                               valueName: "file")) var calibration: String?
    @Option(help: "Calibration texts used: a fixed seeded sample of this many (default: all).") var calibrationItems: Int?
    @Option(help: ArgumentHelp("Seed of the calibration sample (default \(CalibrationTexts.seed)): another seed draws other texts of the "
                               + "file, e.g. for a population of compressed models that differ only in calibration.", valueName: "n"))
    var calibrationSeed: UInt64?
    @OptionGroup var deviceOptions: DeviceOptions

    /// The method as data: the technique's name and the options given (the technique refuses
    /// options it does not read, so none is ignored silently).
    func compressionMethod(layerCount: () throws -> Int) throws -> CompressionMethod {
        do { _ = try CompressionRegistry.technique(named: method) } catch let error as CheckpointError { throw ValidationError(error.message) }
        var parameters: [String: JSONValue] = [:]
        if let sparsity { parameters["sparsity"] = .number(sparsity) }
        if let scope { parameters["scope"] = .string(scope) }
        if let fraction { parameters["fraction"] = .number(fraction) }
        if let groupSize { parameters["group_size"] = .number(Double(groupSize)) }
        if let damp { parameters["damp"] = .number(damp) }
        if actOrder { parameters["act_order"] = .bool(true) }
        if let pattern { parameters["pattern"] = .string(pattern) }
        if let alpha { parameters["alpha"] = .number(alpha) }
        if let outlierRatio { parameters["outlier-ratio"] = .number(outlierRatio) }
        if let outlierChannels { parameters["outlier-channels"] = .number(Double(outlierChannels)) }
        if let rounding { parameters["rounding"] = .string(rounding) }
        if refit { parameters["refit"] = .string("least-squares") }
        if calibration == nil && calibrationItems != nil { throw ValidationError("--calibration-items needs --calibration FILE") }
        if calibration == nil && calibrationSeed != nil { throw ValidationError("--calibration-seed needs --calibration FILE") }
        if keep != nil && every != nil { throw ValidationError("give --keep or --every, not both") }
        if let keep {
            let parts = keep.split(separator: ",", omittingEmptySubsequences: false)
            let layers = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard layers.count == parts.count, !layers.isEmpty else {
                throw ValidationError("--keep '\(keep)' is not a comma-separated list of layer numbers")
            }
            parameters["keep"] = .array(layers.map { .number(Double($0)) })
        }
        if let every {
            guard every >= 1 else { throw ValidationError("--every must be at least 1") }
            parameters["keep"] = .array(stride(from: 0, to: try layerCount(), by: every).map { .number(Double($0)) })
        }
        return CompressionMethod(name: method, parameters: parameters)
    }

    func run() throws {
        let source = URL(fileURLWithPath: model), target = URL(fileURLWithPath: out)
        let chosen = try compressionMethod { try BertConfig(contentsOf: source.appendingPathComponent("config.json")).layerCount }
        let started = Date()
        var calibrationSet: EngineCalibration? = nil
        if let calibration {
            let texts = try CalibrationTexts(path: calibration, items: calibrationItems, seed: calibrationSeed ?? CalibrationTexts.seed)
            calibrationSet = try EngineCalibration(texts: texts, model: source, kernels: try deviceOptions.kernels())
            print("calibration: \(texts.texts.count) of \(texts.available) texts of \(texts.fileName) (seed \(texts.seed)), "
                  + "\(calibrationSet!.tokenCount) tokens")
        }
        let progress = calibrationSet.map { CalibrationProgress($0, layers: $0.layerCount, label: method) }
        let summary = try Compressor.compress(source: source, target: target, method: chosen, calibration: progress)
        for line in summary.lines { print(line) }
        let sizes = (source: try fileSize(source.appendingPathComponent("model.safetensors")),
                     target: try fileSize(target.appendingPathComponent("model.safetensors")))
        print(String(format: "wrote %@ (%@) in %@: weights %@ on disk vs %@ for the source (%.2fx)", out, summary.method,
                     formatSeconds(Date().timeIntervalSince(started)), formatBytes(sizes.target), formatBytes(sizes.source),
                     Double(sizes.source) / Double(max(sizes.target, 1))))
    }
}
