import ArgumentParser
import BertCheckpoint
import BertExperiments
import BertMeasure
import Foundation
import Support

/// `bertbench run`: the main job. Makes the compressed variants (cached under assets/), measures
/// latency and memory of every model with peers, compares every variant's behaviour with the
/// large model, and writes one run folder answering: is a compressed model a miniature of the
/// large one, and what does it cost in behaviour for what it saves? The plan is StandardPlans';
/// this command only turns options into it.
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
    @OptionGroup var shardOptions: ShardOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func validate() throws {
        try study.validateCounts()
        try shardOptions.validate(runName: runName)
    }

    func run() throws {
        let started = Date()
        let root = URL(fileURLWithPath: assets)
        let models = root.appendingPathComponent("models"), variants = root.appendingPathComponent("variants")
        let l6url = models.appendingPathComponent(StandardPlans.largeModel)
        guard FileManager.default.fileExists(atPath: l6url.path) else { throw ValidationError("\(l6url.path) is missing: run scripts/setup first") }
        try FileManager.default.createDirectory(at: variants, withIntermediateDirectories: true)
        let kernels = try deviceOptions.kernels()
        let device = kernels.context.device
        let context = CellContext(quiet: quiet) { kernels }
        let l6 = try ModelRef.at(l6url)
        let withLarge = !(skipLarge || quick)

        // Variants first: the measuring cells' ids name the variants' hashes.
        say("preparing variants in \(variants.path)")
        var prepare = StandardPlans.prepareCells(StandardPlans.ownVariants, from: l6, in: variants, data: root.appendingPathComponent("data"))
        var large: ModelRef?
        if withLarge {
            large = try syntheticLarge(root.appendingPathComponent("synthetic"))
            prepare += StandardPlans.prepareCells(StandardPlans.largeVariants, from: large!, in: root.appendingPathComponent("synthetic"))
        }
        let made = try prepare.map { try $0.run(context).variant }
        let own = Array(made.prefix(StandardPlans.ownVariants.count)), largeVariants = Array(made.dropFirst(StandardPlans.ownVariants.count))
        let external = try StandardPlans.externalVariants.map { try ModelRef.at(models.appendingPathComponent($0.name)) }
        let family = own + external

        let quickSettings = LatencySettings(warmup: 1, iterations: 3)
        let settings = quick ? quickSettings : LatencySettings(warmup: 2, minTime: 2, minIterations: 5)
        let batches = quick ? [1] : [1, 8]
        var cells: [any CellKind] = prepare
        cells += try StandardPlans.latencySweep(models: [l6] + family, batches: batches, sequenceLengths: [128], settings: settings,
                                                peers: true, device: .of(kernels))
        if let large {
            cells += try StandardPlans.latencySweep(models: [large] + largeVariants, batches: [1], sequenceLengths: [128], settings: quickSettings,
                                                    peers: false, device: .of(kernels))
        }
        var studyOptions = study
        if quick {
            (studyOptions.trainItems, studyOptions.testItems, studyOptions.oodItems) = (300, 200, 60)
            (studyOptions.heads, studyOptions.attackItems, studyOptions.seeds) = (5, 8, 2)
        }
        let roles = StandardPlans.ownVariants.map(\.role) + StandardPlans.externalVariants.map(\.role)
        cells.append(try studyOptions.cell(large: l6, variants: zip(family, roles).map { StudyVariant(model: $0, role: $1) }, device: device.name))
        let plan = Plan(runID: RunFolder.runID(runName), latency: .init(settings: settings, batches: batches, sequenceLengths: [128]),
                        notes: withLarge ? [StandardPlans.syntheticLargeNote] : [], cells: cells)

        let folder = RunFolder.path(out: URL(fileURLWithPath: out), deviceSlug: RunEnvironment.capture(device: device).deviceSlug, runID: plan.runID)
        say("running \(plan.cells.count) cells into \(folder.path)")
        let merged = try Experiment.run(plan, shard: try shardOptions.selected(), folder: folder, context: context,
                                        existing: shardOptions.existing)
        guard let results = merged.latencyResults else { throw ValidationError("no latency cell has finished in \(folder.path)") }
        try RunFolder.writeRun(results, divergence: merged.divergence, to: folder)
        for line in merged.divergence?.sanity ?? [] { print(line) }
        LatencyCommand.printSummary(results, folder: folder)
        if !merged.missing.isEmpty {
            print("partial: \(merged.missing.count) planned cells have not run yet; `bertbench report \(folder.path)` merges them later")
        }
        print("finished in \(formatSeconds(Date().timeIntervalSince(started))); read \(folder.path)/report.md")
    }

    /// The synthetic BERT-large checkpoint (random weights, seed 0), written once under `folder`.
    func syntheticLarge(_ folder: URL) throws -> ModelRef {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(StandardPlans.syntheticLarge)
        if !FileManager.default.fileExists(atPath: url.path) {
            say("writing the synthetic bert-large checkpoint (random weights, seed 0)")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: StandardPlans.syntheticLarge), seed: 0, to: url)
        }
        return try ModelRef.at(url)
    }

    func say(_ message: String) {
        if !quiet { FileHandle.standardError.write(Data("run: \(message)\n".utf8)) }
    }
}
