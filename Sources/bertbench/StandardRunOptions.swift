import ArgumentParser
import BertCheckpoint
import BertExperiments
import BertKernels
import BertMeasure
import Foundation

/// The options of the standard run (`run`), which `plan --standard` takes too, and the plan they
/// make: the variants are made first (their hashes name the measuring cells), then latency and
/// memory of every model with peers and ceilings, then the study.
struct StandardRunOptions: ParsableArguments {
    @Option(help: "The assets folder (scripts/setup fills it).") var assets: String = "assets"
    @Flag(help: "Skip the synthetic BERT-large family (its latency takes minutes on a CPU).") var skipLarge = false
    @Flag(help: "A small, fast run: fewer texts and passes, no BERT-large (for trying the pipeline).") var quick = false
    @Flag(help: ArgumentHelp("Add the MPNet family (all-mpnet-base-v2 and its one-shot int8, SmoothQuant, 4-bit RTN and GPTQ, "
                             + "magnitude and SparseGPT pruned and layer-dropped variants): latency and memory at batch 1 x 128, and their "
                             + "own study on up to 1,200 labelled items; on a 2-core CPU about an hour and a quarter the first time (the "
                             + "calibrated variants take about 10 minutes, then are cached), minutes on a GPU."))
    var mpnet = false

    /// Makes the variants on `context`'s device (calibrated methods run the engine) and returns the
    /// standard plan, its variant-making cells first; `device` names the device the cells are for.
    func plan(study: StudyOptions, context: CellContext, device: StandardPlans.DeviceFacts, runID: String,
              say: (String) -> Void) throws -> Plan {
        let root = URL(fileURLWithPath: assets)
        let models = root.appendingPathComponent("models"), variants = root.appendingPathComponent("variants")
        let l6url = models.appendingPathComponent(StandardPlans.largeModel)
        guard FileManager.default.fileExists(atPath: l6url.path) else { throw ValidationError("\(l6url.path) is missing: run scripts/setup first") }
        let mpnetURL = models.appendingPathComponent(StandardPlans.mpnetModel)
        if mpnet, !FileManager.default.fileExists(atPath: mpnetURL.path) {
            throw ValidationError("\(mpnetURL.path) is missing: run scripts/setup first (--mpnet needs the MPNet checkpoint)")
        }
        // The trained variants take minutes each to make, outside the engine: say how before any work
        // starts (a bad --device is named first).
        let trainedURLs = StandardPlans.trainedVariants.map { variants.appendingPathComponent($0.name) }
        for url in trainedURLs where !FileManager.default.fileExists(atPath: url.path) {
            throw ValidationError("\(url.path) is missing: train it with `\(StandardPlans.trainCommand)` (scripts/bench does, about 20 min each)")
        }
        try FileManager.default.createDirectory(at: variants, withIntermediateDirectories: true)
        let l6 = try ModelRef.at(l6url)
        let withLarge = !(skipLarge || quick)

        // Variants first: the measuring cells' ids name the variants' hashes.
        say("preparing variants in \(variants.path)")
        var prepare = StandardPlans.prepareCells(StandardPlans.ownVariants, from: l6, in: variants, data: root.appendingPathComponent("data"))
        var large: ModelRef?
        if withLarge {
            large = try syntheticLarge(root.appendingPathComponent("synthetic"), say: say)
            prepare += StandardPlans.prepareCells(StandardPlans.largeVariants, from: large!, in: root.appendingPathComponent("synthetic"))
        }
        var mpnetModel: ModelRef?
        if mpnet {
            mpnetModel = try ModelRef.at(mpnetURL)
            prepare += StandardPlans.prepareCells(StandardPlans.mpnetVariants, from: mpnetModel!, in: variants,
                                                  data: root.appendingPathComponent("data"))
        }
        // The population members of the study's PIEs (Hooker et al.): made last, so an interrupted
        // run has its measured variants first; each member is cached like any variant.
        let populations = StandardPlans.populations
        let extraMembers = StandardPlans.extraMembers(populations)
        prepare += StandardPlans.prepareCells(extraMembers, from: l6, in: variants, data: root.appendingPathComponent("data"))
        let made = try prepare.map { try $0.run(context).variant }
        let ownCount = StandardPlans.ownVariants.count, largeCount = withLarge ? StandardPlans.largeVariants.count : 0
        let own = Array(made.prefix(ownCount)), largeVariants = Array(made.dropFirst(ownCount).prefix(largeCount))
        let mpnetVariants = Array(made.dropFirst(ownCount + largeCount).dropLast(extraMembers.count))
        let members = Array(made.suffix(extraMembers.count))
        let external = try StandardPlans.externalVariants.map { try ModelRef.at(models.appendingPathComponent($0.name)) }
        let trained = try trainedURLs.map { try ModelRef.at($0) }
        let family = own + external + trained

        let quickSettings = LatencySettings(warmup: 1, iterations: 3)
        let settings = quick ? quickSettings : LatencySettings(warmup: 2, minTime: 2, minIterations: 5)
        let batches = quick ? [1] : [1, 8]
        var cells: [any CellKind] = prepare
        cells += try StandardPlans.latencySweep(models: [l6] + family, batches: batches, sequenceLengths: [128], settings: settings,
                                                peers: true, device: device)
        if let large {
            cells += try StandardPlans.latencySweep(models: [large] + largeVariants, batches: [1], sequenceLengths: [128], settings: quickSettings,
                                                    peers: false, device: device)
        }
        if let mpnetModel {
            cells += try StandardPlans.latencySweep(models: [mpnetModel] + mpnetVariants, batches: [1], sequenceLengths: [128],
                                                    settings: quickSettings, peers: false, device: device)
        }
        var studyOptions = study
        if quick {
            (studyOptions.trainItems, studyOptions.testItems, studyOptions.oodItems) = (300, 200, 60)
            // 16 common attack items: every model is attacked on each (about 20 forward passes per item and model).
            (studyOptions.heads, studyOptions.attackItems, studyOptions.seeds) = (5, 16, 2)
        }
        let roles = StandardPlans.ownVariants.map(\.role) + StandardPlans.externalVariants.map(\.role) + StandardPlans.trainedVariants.map(\.role)
        // Population members are not timed: they share member 0's method and shapes.
        let studied = StandardPlans.studyVariants(models: family, roles: roles, extraMembers: members, populations: populations)
        cells.append(try studyOptions.cell(large: l6, variants: studied, device: device.name))
        if let mpnetModel {
            // The second family's study: the same settings on fewer items (StandardPlans.mpnetStudyCaps).
            let caps = quick ? StandardPlans.mpnetQuickStudyCaps : StandardPlans.mpnetStudyCaps
            var mpnetStudy = studyOptions
            mpnetStudy.trainItems = StandardPlans.StudyCaps.capped(studyOptions.trainItems, caps.train)
            mpnetStudy.testItems = StandardPlans.StudyCaps.capped(studyOptions.testItems, caps.test)
            mpnetStudy.oodItems = StandardPlans.StudyCaps.capped(studyOptions.oodItems, caps.outOfDomain)
            mpnetStudy.attackItems = studyOptions.attackItems == 0 ? 0 : Swift.min(studyOptions.attackItems, caps.attack)
            let mpnetStudied = zip(mpnetVariants, StandardPlans.mpnetVariants.map(\.role)).map { StudyVariant(model: $0, role: $1) }
            cells.append(try mpnetStudy.cell(large: mpnetModel, variants: mpnetStudied, device: device.name))
        }
        return Plan(runID: runID, latency: .init(settings: settings, batches: batches, sequenceLengths: [128]),
                        notes: (withLarge ? [StandardPlans.syntheticLargeNote] : []) + (mpnet ? [StandardPlans.mpnetNote] : []),
                        cells: cells)
    }

    /// The synthetic BERT-large checkpoint (random weights, seed 0), written once under `folder`.
    func syntheticLarge(_ folder: URL, say: (String) -> Void) throws -> ModelRef {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(StandardPlans.syntheticLarge)
        if !FileManager.default.fileExists(atPath: url.path) {
            say("writing the synthetic bert-large checkpoint (random weights, seed 0)")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: StandardPlans.syntheticLarge), seed: 0, to: url)
        }
        return try ModelRef.at(url)
    }
}
