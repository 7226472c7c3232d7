import ArgumentParser
import BertCheckpoint
import BertCompression
import BertDivergence
import BertMeasure
import Foundation
import Support

/// `bertbench run`: the main job. Makes the compressed variants (cached under assets/), measures
/// latency and memory of every model with peers, compares every variant's behaviour with the
/// large model, and writes one run folder answering: is a compressed model a miniature of the
/// large one, and what does it cost in behaviour for what it saves?
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The main job: variants, latency and memory with peers, behavioural divergence, one report under bench-results/.")

    @Option(help: "The assets folder (scripts/setup fills it).") var assets: String = "assets"
    @Option(help: "Where run folders go.") var out: String = "bench-results"
    @Option(help: "Name of the run folder (default: date and time).") var runName: String?
    @Flag(help: "Skip the synthetic BERT-large family (its latency takes minutes on a CPU).") var skipLarge = false
    @Flag(help: "A small, fast run: fewer texts and passes, no BERT-large (for trying the pipeline).") var quick = false
    @OptionGroup var study: StudyOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let started = Date()
        let root = URL(fileURLWithPath: assets)
        let models = root.appendingPathComponent("models"), variants = root.appendingPathComponent("variants")
        let l6 = models.appendingPathComponent("all-MiniLM-L6-v2")
        guard FileManager.default.fileExists(atPath: l6.path) else { throw ValidationError("\(l6.path) is missing: run scripts/setup first") }
        try FileManager.default.createDirectory(at: variants, withIntermediateDirectories: true)
        say("preparing variants in \(variants.path)")
        let own: [(String, CompressionMethod)] = [
            ("all-MiniLM-L6-v2-int8-w8a8", .int8), ("all-MiniLM-L6-v2-int8-weight-only", .int8WeightOnly),
            ("all-MiniLM-L6-v2-pruned-50", .pruneUnstructured(sparsity: 0.5, global: true)),
            ("all-MiniLM-L6-v2-pruned-90", .pruneUnstructured(sparsity: 0.9, global: true)),
            ("all-MiniLM-L6-v2-heads-50", .pruneHeads(fraction: 0.5)),
            ("all-MiniLM-L6-v2-layers-0-2-4", .dropLayers(keep: [0, 2, 4])),
        ]
        var family: [URL] = []
        for (name, method) in own { family.append(try prepare(variants.appendingPathComponent(name), from: l6, method: method)) }
        family.append(models.appendingPathComponent("all-MiniLM-L6-v2-int8"))
        family.append(models.appendingPathComponent("paraphrase-MiniLM-L3-v2"))

        let kernels = try deviceOptions.kernels()
        let runID = LatencySweep.runID(runName)
        let quickSettings = LatencySettings(warmup: 1, iterations: 3)
        say("latency: the L6 family")
        var results = try LatencySweep(models: [l6] + family, batches: quick ? [1] : [1, 8], sequenceLengths: [128],
                                       settings: quick ? quickSettings : LatencySettings(warmup: 2, minTime: 2, minIterations: 5),
                                       peers: true, quiet: quiet).measure(kernels: kernels, runID: runID)
        if !(skipLarge || quick) {
            let synthetic = root.appendingPathComponent("synthetic")
            try FileManager.default.createDirectory(at: synthetic, withIntermediateDirectories: true)
            let large = synthetic.appendingPathComponent("bert-large")
            if !FileManager.default.fileExists(atPath: large.path) {
                say("writing the synthetic bert-large checkpoint (random weights, seed 0)")
                try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "bert-large"), seed: 0, to: large)
            }
            let largeFamily = [large,
                               try prepare(synthetic.appendingPathComponent("bert-large-int8-w8a8"), from: large, method: .int8),
                               try prepare(synthetic.appendingPathComponent("bert-large-pruned-90"), from: large, method: .pruneUnstructured(sparsity: 0.9, global: true)),
                               try prepare(synthetic.appendingPathComponent("bert-large-layers-every-2"), from: large, method: .dropLayers(keep: Array(stride(from: 0, to: 24, by: 2))))]
            say("latency: the synthetic bert-large family (batch 1, 3 timed passes each)")
            let largeResults = try LatencySweep(models: largeFamily, batches: [1], sequenceLengths: [128], settings: quickSettings,
                                                peers: false, quiet: quiet).measure(kernels: kernels, runID: runID)
            results.models += largeResults.models
            results.measurements += largeResults.measurements
            results.notes += largeResults.notes.filter { !results.notes.contains($0) }
            results.notes.append("bert-large rows are synthetic checkpoints (random weights, bert-large-uncased shapes): latency and memory only; batch 1 with 1 warm-up and 3 timed passes, unlike the L6 family")
            results.peakHostResidentBytes = peakResidentBytes()
        }

        say("divergence: every variant against all-MiniLM-L6-v2")
        var studyOptions = study
        if quick { (studyOptions.trainItems, studyOptions.testItems, studyOptions.oodItems, studyOptions.heads, studyOptions.attackItems) = (300, 200, 60, 5, 8) }
        // The sanity checks hold the own int8 variants to near copies of L6 and the L3 to agreeing less.
        let expectations: [URL: StudyModel.Expectation] = [family[0]: .nearCopy, family[1]: .nearCopy, family[7]: .separatelyTrained]
        let divergence = try DivergenceRunner.run(large: l6, variants: family, study: studyOptions, kernels: kernels, quiet: quiet,
                                                  expectations: expectations)
        let folder = LatencySweep.folder(out: URL(fileURLWithPath: out), results: results)
        try LatencyReport.write(results, to: folder, extraFiles: ["divergence.json": try divergence.encoded()], plots: Plots.render) { images in
            DivergenceReport.markdown(divergence, plots: images)
        }
        for line in divergence.sanity { print(line) }
        LatencySweep.printSummary(results, folder: folder)
        print("finished in \(formatSeconds(Date().timeIntervalSince(started))); read \(folder.path)/report.md")
    }

    /// The variant at `target`, compressed from `source` unless already there.
    func prepare(_ target: URL, from source: URL, method: CompressionMethod) throws -> URL {
        if !FileManager.default.fileExists(atPath: target.path) {
            say("compressing \(source.lastPathComponent) -> \(target.lastPathComponent) (\(method.name))")
            try Compressor.compress(source: source, target: target, method: method)
        }
        return target
    }

    func say(_ message: String) {
        if !quiet { FileHandle.standardError.write(Data("run: \(message)\n".utf8)) }
    }
}
