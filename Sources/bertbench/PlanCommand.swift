import ArgumentParser
import BertExperiments
import BertKernels
import BertMeasure
import Foundation

/// `bertbench plan`: writes a sweep's plan folder (plan.json: units with ids, commands and input
/// hashes, and the commit) for a scheduler to run one unit per task with `bertbench work` and
/// then `bertbench merge`. Nothing runs here.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a sweep as independent units (latency cells, a divergence study) for a cluster: writes PLAN_DIR/plan.json.")

    @Option(name: .customLong("model"), help: "Model directory for the latency sweep (repeat).") var models: [String] = []
    @Option(help: "Batch sizes, comma-separated.") var batch: String = "1,8"
    @Option(help: "Sequence lengths, comma-separated.") var seq: String = "128"
    @Option(help: "Warm-up passes per shape (not timed; with any, at least 0.3 s of them).") var warmup: Int = 2
    @Option(help: "Timed passes per shape (default: as many as fit --min-time, at least 5).") var iterations: Int?
    @Option(help: "Seconds of timed passes per shape; not with --iterations.") var minTime: Double = 2
    @Flag(help: "Add the peers' units: onnxruntime on models with an ONNX file, the GEMM engines on each model's shapes.") var peers = false
    @Option(help: "The study's large model: adds one embedding unit per model and a divergence unit over the --variant models.")
    var large: String?
    @OptionGroup var studied: StudiedVariants
    @OptionGroup var study: StudyOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: ArgumentHelp("Name the device class the units are planned for (e.g. 'NVIDIA H100 80GB HBM3') instead of opening "
                               + "--device here: a login host without the GPU plans for it.")) var deviceClass: String?
    @Flag(help: ArgumentHelp("Plan `run`'s standard experiment instead: its variants are made here first (calibrated methods run "
                             + "the engine on this host's device), then its latency, peer, ceiling, embedding and study units (with "
                             + "run's --assets, --quick, --skip-large, --mpnet).")) var standard = false
    @OptionGroup var standardRun: StandardRunOptions
    @Option(help: "The plan folder (must not exist, or be empty).") var out: String
    @Option(help: "The run's name in results.json (default: the plan folder's name).") var runName: String?
    @Option(help: "The bertbench the units' commands call (default: this executable).") var bertbench: String?

    func validate() throws {
        _ = try LatencyCommand.parseList(batch, "--batch")
        _ = try LatencyCommand.parseList(seq, "--seq")
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
        if let iterations, !(1...1_000_000).contains(iterations) { throw ValidationError("--iterations must be 1 to 1000000") }
        guard minTime > 0, minTime <= 3600 else { throw ValidationError("--min-time \(minTime) must be more than 0 and at most 3600 seconds") }
        if standard {
            guard models.isEmpty && large == nil && studied.isEmpty else { throw ValidationError("--standard plans run's models; drop --model, --large and --variant") }
            try study.validateCounts()
            return
        }
        guard !models.isEmpty || large != nil else {
            throw ValidationError("give --model (latency units), --large with --variant (a study), or --standard (run's experiment)")
        }
        if large != nil { try study.validateCounts() }
        guard (large == nil) == studied.isEmpty else { throw ValidationError("--large and --variant go together") }
        _ = try studied.populations()
    }

    func run() throws {
        let folder = URL(fileURLWithPath: out).standardizedFileURL
        let present = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard present.filter({ !$0.hasPrefix(".") }).isEmpty else {
            throw ValidationError("\(folder.path): exists and is not empty; plan into a new folder")
        }
        // The standard plan makes its variants here, so it opens the device whatever the cells are planned for.
        let kernels = deviceClass == nil || standard ? try deviceOptions.kernels() : nil
        let device: StandardPlans.DeviceFacts
        if let deviceClass {
            device = .init(name: deviceClass, index: 0, peerThreads: ProcessInfo.processInfo.activeProcessorCount)
        } else {
            device = .of(kernels!)
        }
        if let kernels, standard {
            return try write(try standardPlan(kernels: kernels, device: device, runID: runName ?? folder.lastPathComponent), to: folder)
        }
        let batches = try LatencyCommand.parseList(batch, "--batch"), lengths = try LatencyCommand.parseList(seq, "--seq")
        let settings = LatencySettings(warmup: warmup, iterations: iterations, minTime: minTime, minIterations: 5)
        var cells = try StandardPlans.latencySweep(models: try models.map { try ModelRef.at(URL(fileURLWithPath: $0)) }, batches: batches,
                                                   sequenceLengths: lengths, settings: settings, peers: peers, device: device)
        if let large {
            let cell = try study.cell(large: try ModelRef.at(URL(fileURLWithPath: large)), variants: try studied.studyVariants(), device: device.name)
            // One embedding unit per model (stage 0, in parallel), then the study (stage 1) reads them from the plan's cache.
            cells += ([cell.large] + cell.variants.map(\.model)).map { EmbeddingCell(model: $0, for: cell) }
            cells.append(cell)
        }
        let header = models.isEmpty ? nil : Plan.LatencyHeader(settings: settings, batches: batches, sequenceLengths: lengths)
        try write(Plan(runID: runName ?? folder.lastPathComponent, latency: header, cells: cells), to: folder)
    }

    /// Writes `plan` as a sweep into `folder` and says how to run it.
    func write(_ plan: Plan, to folder: URL) throws {
        var plan = plan
        let executable = bertbench ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
        plan.sweep = Sweep(plan: plan, folder: folder, executable: executable, workOptions: deviceOptions.device.map { ["--device", $0] } ?? [])
        try plan.write(to: folder)
        print("planned \(plan.cells.count) units at commit \(plan.sweep!.commit) into \(folder.path)/plan.json")
        print("run unit K with: \(executable) work \(folder.path) --unit K   (or scripts/slurm/submit.sh \(folder.path))")
    }

    /// `run`'s plan for a sweep: its variants are made now (their hashes name the other units), so
    /// the variant-making cells are left out, and the study's embeddings become units of their own.
    func standardPlan(kernels: EncoderKernels, device: StandardPlans.DeviceFacts, runID: String) throws -> Plan {
        let context = CellContext(quiet: false) { kernels }
        let plan = try standardRun.plan(study: study, context: context, device: device, runID: runID) {
            FileHandle.standardError.write(Data("plan: \($0)\n".utf8))
        }
        // Each study (the L6 family's, and the MPNet family's with --mpnet) gets its embedding units before it.
        var cells: [any CellKind] = []
        for cell in plan.cells.map(\.cell) where !(cell is PrepareVariantCell) {
            if let study = cell as? DivergenceCell {
                cells += ([study.large] + study.variants.map(\.model)).map { EmbeddingCell(model: $0, for: study) }
            }
            cells.append(cell)
        }
        return Plan(runID: plan.runID, latency: plan.latency, notes: plan.notes, cells: cells)
    }
}
