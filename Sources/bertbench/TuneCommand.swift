import ArgumentParser
import BertCheckpoint
import BertExperiments
import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime
import Support

/// `bertbench tune`: searches the kernel variants and parameters of each tunable operation on one
/// device at the models' shapes and writes the best as a local device profile, which every later
/// run on that device reads (and reports) instead of the built-in choice.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Find the fastest kernel variant and parameters for this device at the models' shapes; writes a local device profile.")

    @Option(name: .customLong("model"), help: "A model whose GEMM shapes are tuned for (repeat; default: assets/models/all-MiniLM-L6-v2).")
    var models: [String] = []
    @Option(help: "Tokens per pass (batch x sequence length) the shapes are taken at, comma-separated.") var tokens: String = "128,1024"
    @Option(name: .customLong("shape"), help: "An extra GEMM shape MxNxK (repeat).") var extraShapes: [String] = []
    @Option(help: "Seconds of searching per operation.") var budget: Double = 180
    @Option(help: ArgumentHelp("Shapes of at most this many rows are tuned apart, as a regime of the profile entry, where that is "
                               + "at least 2% faster on them (0: one setting for every shape)."))
    var regimeRows: Int = 384
    @Option(name: .customLong("operation"), help: ArgumentHelp("An operation to tune (repeat; default: every tunable one: "
                + TuningTarget.all.map(\.operation.rawValue).joined(separator: ", ") + ")."))
    var operations: [String] = []
    @Option(help: "The profile file to write (default: tuned-<device>.json in $BERTBENCH_PROFILES or ~/.cache/bertbench/profiles).")
    var out: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func validate() throws {
        _ = try LatencyCommand.parseList(tokens, "--tokens")
        _ = try parsedShapes()
        guard budget > 0, budget <= 86_400 else { throw ValidationError("--budget \(budget) must be more than 0 and at most 86400 seconds") }
        guard regimeRows >= 0 else { throw ValidationError("--regime-rows \(regimeRows) must be 0 (none) or a row count") }
        _ = try targets()
    }

    /// The --operation targets in the order given, or every tunable one.
    func targets() throws -> [TuningTarget] {
        if operations.isEmpty { return TuningTarget.all }
        return try operations.map { name in
            guard let target = TuningTarget.all.first(where: { $0.operation.rawValue == name }) else {
                throw ValidationError("--operation \(name): not tunable (tunable: \(TuningTarget.all.map(\.operation.rawValue).joined(separator: ", ")))")
            }
            return target
        }
    }

    func parsedShapes() throws -> [[Int]] {
        try extraShapes.map { text in
            let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--shape \(text): expected MxNxK, e.g. 128x1536x384")
            }
            return parts.map { $0! }
        }
    }

    /// The shapes to tune at: each model's three GEMMs at each token count, then --shape ones, each once.
    func shapes() throws -> [[Int]] {
        let defaultModel = "assets/models/\(StandardPlans.largeModel)"
        let paths = models.isEmpty && extraShapes.isEmpty ? [defaultModel] : models
        var result: [[Int]] = []
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path): no such model folder" + (models.isEmpty ? " (run scripts/setup, or give --model or --shape)" : ""))
            }
            let checkpoint = try Checkpoint(directory: URL(fileURLWithPath: path))
            for t in try LatencyCommand.parseList(tokens, "--tokens") {
                for shape in try StandardPlans.gemmShapes(checkpoint, tokens: t) where !result.contains(shape) { result.append(shape) }
            }
        }
        for shape in try parsedShapes() where !result.contains(shape) { result.append(shape) }
        return result
    }

    func run() throws {
        let shapes = try shapes()
        let context = try ComputeContext(device: try Device.choose(deviceOptions.device))
        let device = context.device
        let environment = ProcessInfo.processInfo.environment
        let slug = RunEnvironment.capture(device: device).deviceSlug
        let file = out.map { URL(fileURLWithPath: $0) }
            ?? ProfileCatalog.localFolder(environment: environment).appendingPathComponent("tuned-\(slug).json")
        try TunedProfile.checkReplaceable(file)
        let base = try deviceOptions.selection(for: device)
        let shapeList = shapes.map { $0.map(String.init).joined(separator: "x") }.joined(separator: ", ")
        say("tuning on \(device.name) at \(shapes.count) shapes: \(shapeList)")
        var results: [TuningResult] = []
        for target in try targets() {
            let family = deviceOptions.kernelFamily
            let result = try KernelTuner.tune(target, context: context, base: base, shapes: shapes, budget: budget,
                                              regimeRows: regimeRows > 0 ? regimeRows : nil,
                                              allowed: { family == "auto" || $0.source.hasPrefix("\(family)/") }) { say($0) }
            results.append(result)
            func listed(_ values: [String: Int]) -> String { values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
            let regimes = (result.regimes ?? []).map { "; at M <= \($0.maxM): \(listed($0.parameters))" }.joined()
            print("\(result.operation): \(result.variant) \(listed(result.parameters))\(regimes) "
                  + String(format: "(%d settings timed; %.2fx the profile's %@)", result.tried, result.speedup, result.baseline))
            for (i, shape) in shapes.enumerated() {
                let flops = target.flops(shape)
                print(String(format: "  %@: %.3f ms (%.1f GFLOP/s) vs %.3f ms (%.1f GFLOP/s)", shape.map(String.init).joined(separator: "x"),
                             result.milliseconds[i], flops / result.milliseconds[i] / 1e6,
                             result.baselineMilliseconds[i], flops / result.baselineMilliseconds[i] / 1e6))
            }
            // Written after each operation, so a run stopped by a host's time limit keeps what it found.
            try write(TunedProfile(device: device, slug: slug, results: results, commit: UnitStamp.currentCommit), to: file)
        }
        print("wrote \(file.path); `bertbench devices` shows what now runs on \(device.name)")
    }

    func write(_ profile: TunedProfile, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(try profile.json(), to: file.path)
    }

    func say(_ message: String) {
        if !quiet { FileHandle.standardError.write(Data("tune: \(message)\n".utf8)) }
    }
}
