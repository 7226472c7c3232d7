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

    @Option(help: "Where run folders go.") var out: String = "bench-results"
    @Option(help: "Name of the run folder (default: date and time).") var runName: String?
    @OptionGroup var standard: StandardRunOptions
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
        let kernels = try deviceOptions.kernels()
        let device = kernels.context.device
        let context = CellContext(quiet: quiet) { kernels }
        let plan = try standard.plan(study: study, context: context, device: .of(kernels), runID: RunFolder.runID(runName), say: say)
        let folder = RunFolder.path(out: URL(fileURLWithPath: out), deviceSlug: RunEnvironment.capture(device: device).deviceSlug, runID: plan.runID)
        say("running \(plan.cells.count) cells into \(folder.path)")
        let merged = try Experiment.run(plan, shard: try shardOptions.selected(), folder: folder, context: context,
                                        existing: shardOptions.existing)
        guard let results = merged.latencyResults else { throw ValidationError("no latency cell has finished in \(folder.path)") }
        try RunFolder.writeRun(results, divergence: merged.divergence, otherStudies: merged.otherStudies, to: folder)
        for study in [merged.divergence].compactMap({ $0 }) + merged.otherStudies {
            if !merged.otherStudies.isEmpty { print("\(study.large):") }
            for line in study.sanity { print(line) }
        }
        LatencyCommand.printSummary(results, folder: folder)
        if !merged.missing.isEmpty {
            print("partial: \(merged.missing.count) planned cells have not run yet; `bertbench report \(folder.path)` merges them later")
        }
        print("finished in \(formatSeconds(Date().timeIntervalSince(started))); read \(folder.path)/report.md")
    }

    func say(_ message: String) {
        if !quiet { FileHandle.standardError.write(Data("run: \(message)\n".utf8)) }
    }
}
