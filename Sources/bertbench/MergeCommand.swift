import ArgumentParser
import BertExperiments
import Foundation

/// `bertbench merge`: checks every unit of a plan folder against the plan and renders the run's
/// report (results.json, results.csv, divergence.json, report.md, plots, units.csv) elsewhere.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Check a plan folder's units against its plan and merge them into one run folder with its report.")

    @Argument(help: "The plan folder (from `bertbench plan`).") var planDirectory: String
    @Option(help: "The run folder to write (created; rewritten on a later merge).") var out: String
    @Flag(help: "Write a report even when units are missing; it says it is partial and lists them.") var partial = false

    func run() throws {
        let folder = URL(fileURLWithPath: planDirectory).standardizedFileURL, target = URL(fileURLWithPath: out).standardizedFileURL
        let lock = try MergeLock(folder: folder)
        defer { withExtendedLifetime(lock) {} }
        let collected = try SweepMerge.collect(folder: folder)
        for unit in collected.missing { print("missing: unit \(unit.index) \(unit.id); rerun: \(unit.command)") }
        for id in collected.merged.ignored { print("ignored: \(folder.path)/cells/\(id).json is not a unit of this plan") }
        let report = try SweepMerge.write(collected, to: target, partial: partial)
        let done = collected.sweep.units.count - collected.missing.count
        let devices = UnitTable.devices(collected.cells)
        print("merged \(done) of \(collected.sweep.units.count) units (devices: \(devices.joined(separator: ", "))) into "
              + "\(target.path)/\(report)" + (collected.missing.isEmpty ? "" : "; partial: \(collected.missing.count) units missing"))
    }
}
