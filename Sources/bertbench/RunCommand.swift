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
    @Flag(help: ArgumentHelp("Add the MPNet family (all-mpnet-base-v2 and its one-shot int8, pruned and layer-dropped variants): "
                             + "latency and memory at batch 1 x 128; making the variants and timing 110M-parameter models takes minutes on a CPU."))
    var mpnet = false
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
        let mpnetURL = models.appendingPathComponent(StandardPlans.mpnetModel)
        if mpnet, !FileManager.default.fileExists(atPath: mpnetURL.path) {
            throw ValidationError("\(mpnetURL.path) is missing: run scripts/setup first (--mpnet needs the MPNet checkpoint)")
        }
        let kernels = try deviceOptions.kernels()
        // The trained variants take minutes each to make, outside the engine: say how before any work
        // starts (a bad --device is named first).
        let trainedURLs = StandardPlans.trainedVariants.map { variants.appendingPathComponent($0.name) }
        for url in trainedURLs where !FileManager.default.fileExists(atPath: url.path) {
            throw ValidationError("\(url.path) is missing: train it with `\(StandardPlans.trainCommand)` (scripts/bench does, about 20 min each)")
        }
        try FileManager.default.createDirectory(at: variants, withIntermediateDirectories: true)
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
        var mpnetModel: ModelRef?
        if mpnet {
            mpnetModel = try ModelRef.at(mpnetURL)
            prepare += StandardPlans.prepareCells(StandardPlans.mpnetVariants, from: mpnetModel!, in: variants)
        }
        let made = try prepare.map { try $0.run(context).variant }
        let ownCount = StandardPlans.ownVariants.count, largeCount = withLarge ? StandardPlans.largeVariants.count : 0
        let own = Array(made.prefix(ownCount)), largeVariants = Array(made.dropFirst(ownCount).prefix(largeCount))
        let mpnetVariants = Array(made.dropFirst(ownCount + largeCount))
        let external = try StandardPlans.externalVariants.map { try ModelRef.at(models.appendingPathComponent($0.name)) }
        let trained = try trainedURLs.map { try ModelRef.at($0) }
        let family = own + external + trained

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
        if let mpnetModel {
            cells += try StandardPlans.latencySweep(models: [mpnetModel] + mpnetVariants, batches: [1], sequenceLengths: [128],
                                                    settings: quickSettings, peers: false, device: .of(kernels))
        }
        var studyOptions = study
        if quick {
            (studyOptions.trainItems, studyOptions.testItems, studyOptions.oodItems) = (300, 200, 60)
            // 16 common attack items: every model is attacked on each (about 20 forward passes per item and model).
            (studyOptions.heads, studyOptions.attackItems, studyOptions.seeds) = (5, 16, 2)
        }
        let roles = StandardPlans.ownVariants.map(\.role) + StandardPlans.externalVariants.map(\.role) + StandardPlans.trainedVariants.map(\.role)
        cells.append(try studyOptions.cell(large: l6, variants: zip(family, roles).map { StudyVariant(model: $0, role: $1) }, device: device.name))
        let plan = Plan(runID: RunFolder.runID(runName), latency: .init(settings: settings, batches: batches, sequenceLengths: [128]),
                        notes: (withLarge ? [StandardPlans.syntheticLargeNote] : []) + (mpnet ? [StandardPlans.mpnetNote] : []),
                        cells: cells)

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
