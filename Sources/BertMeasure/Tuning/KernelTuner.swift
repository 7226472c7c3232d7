import BertKernels
import Foundation
import OpenCLRuntime

/// What tuning one operation found: the best variant and parameters next to the profile's own
/// choice, each timed at the same shapes in the same run.
public struct TuningResult: Codable, Sendable {
    public let operation: String
    public let variant: String
    public let parameters: [String: Int]
    /// Parameters that differ for problems of at most `maxM` rows, where tuning the small shapes
    /// apart found them faster (nil: one setting serves every shape).
    public let regimes: [Regime]?
    /// The shapes timed ([m, n, k] for GEMMs).
    public let shapes: [[Int]]
    /// Per shape, median device ms of the best setting (its regime's where one holds the shape)
    /// and of the profile's choice.
    public let milliseconds: [Double]
    public let baselineMilliseconds: [Double]
    /// What ran before tuning ("gemm: portable-gemm-packed KU=4 MR=6 NV=2 VW=16").
    public let baseline: String
    /// Settings timed (those that failed to build or run are not counted).
    public let tried: Int
    /// Total time over the shapes, baseline over best (above 1: tuning helped).
    public var speedup: Double { baselineMilliseconds.reduce(0, +) / max(milliseconds.reduce(0, +), 1e-12) }

    /// One row range's parameters, as a profile's `regimes` entry holds them.
    public struct Regime: Codable, Sendable, Equatable {
        public let maxM: Int
        public let parameters: [String: Int]
    }
}

/// Searches each variant of an operation by coordinate descent over its parameters (one
/// parameter at a time through its allowed values, the others held, until a round improves
/// nothing or the time budget is spent), scoring a setting by its total time over the shapes.
/// A full grid would be hundreds of builds (the packed GEMM alone has 576 settings); descent
/// from the profile's values reaches a local best in a few dozen. With `regimeRows` and shapes on
/// both sides of it, the search runs on the larger shapes (60% of the budget), then the same
/// variant's parameters are searched again on the shapes of at most `regimeRows` rows: a setting
/// found there that is at least 2% faster on them becomes a regime (a batch-1 GEMM's best tiles
/// are rarely a 12,288-row one's, and one sum over both lets the large shapes decide).
public enum KernelTuner {
    /// Tunes `target` on `context`'s device starting from `base`, over the variants `allowed`
    /// accepts (all by default; `--kernels portable` keeps Kernels/portable/ ones); `say` reports progress.
    public static func tune(_ target: TuningTarget, context: ComputeContext, base: KernelSelection, shapes: [[Int]],
                            budget: TimeInterval, regimeRows: Int? = nil, allowed: (KernelVariant) -> Bool = { _ in true },
                            say: (String) -> Void) throws -> TuningResult {
        let started = Date()
        let small = regimeRows.map { rows in shapes.filter { $0[0] <= rows } } ?? []
        let large = shapes.filter { !small.contains($0) }
        let split = !small.isEmpty && !large.isEmpty
        let searched = split ? large : shapes
        let searchEnd = started.addingTimeInterval(split ? 0.6 * budget : budget), end = started.addingTimeInterval(budget)
        var timed: [String: [Double]] = [:]
        func score(_ times: [Double]) -> Double { times.reduce(0, +) }
        /// Times one setting on `on`; nil when it does not build or run here (a combination the kernel refuses).
        func measure(_ selection: KernelSelection, _ on: [[Int]]) -> [Double]? {
            let key = selection[target.operation].description + " @ " + on.map { $0.map(String.init).joined(separator: "x") }.joined(separator: ",")
            if let known = timed[key] { return known }
            do {
                let begun = Date()
                let kernels = try EncoderKernels(context: context, selection: selection)
                let times = try on.map { try target.time(kernels, $0) }
                timed[key] = times
                // One line per setting: on a GPU host with a per-call limit, the log shows where time went.
                say(String(format: "timed %@: %.3f ms over %d shapes (%.1f s to build and time)", selection[target.operation].description,
                           score(times), on.count, Date().timeIntervalSince(begun)))
                return times
            } catch {
                say("skipped \(selection[target.operation]): \(error)")
                return nil
            }
        }
        /// Whether `candidate` computes what the profile's choice does (a fast wrong setting is no candidate).
        func agrees(_ candidate: KernelSelection) throws -> Bool {
            let difference = try target.difference(try EncoderKernels(context: context, selection: candidate),
                                                   try EncoderKernels(context: context, selection: base))
            if difference > target.tolerance {
                say("refused \(candidate[target.operation]): its output differs from the profile's by \(difference) (relative)")
            }
            return difference <= target.tolerance
        }
        /// Coordinate descent over `variant`'s tunable parameters from `start`, timing on `on`
        /// until `deadline`; `make` turns a full set of values into the selection to time.
        func descend(_ variant: KernelVariant, from start: [String: Int], on: [[Int]], until deadline: Date,
                     make: ([String: Int]) throws -> KernelSelection) -> (values: [String: Int], selection: KernelSelection, times: [Double])? {
            guard let first = try? make(start), let firstTimes = measure(first, on) else { return nil }
            var current = (values: start, selection: first, times: firstTimes)
            var improved = true
            while improved && Date() < deadline {
                improved = false
                for parameter in variant.parameters where parameter.tunable {
                    for value in parameter.allowed where Date() < deadline {
                        guard current.values[parameter.name] != value else { continue }
                        var values = current.values
                        values[parameter.name] = value
                        guard let candidate = try? make(values), let times = measure(candidate, on) else { continue }
                        if score(times) < score(current.times) {
                            (current, improved) = ((values, candidate, times), true)
                            say(String(format: "%@: %.3f ms over %d shapes (%d settings timed)", "\(candidate[target.operation])",
                                       score(times), on.count, timed.count))
                        }
                    }
                }
            }
            return current
        }

        guard let baseline = measure(base, shapes) else {
            throw KernelParameterError("\(target.operation.rawValue): the profile's own choice \(base[target.operation]) does not run here")
        }
        let baselineSearched = shapes.indices.filter { searched.contains(shapes[$0]) }.map { baseline[$0] }
        var best = (selection: base, times: baselineSearched)
        // The profile's own variant first: with a short budget, its neighbourhood matters most.
        let variants = KernelVariantRegistry.all.filter { $0.serves(target.operation) && allowed($0) }
            .sorted { a, _ in a.name == base[target.operation].variant.name }
        for (index, variant) in variants.enumerated() {
            guard index == 0 || Date() < searchEnd else {
                say("budget spent; not tried: \(variants[index...].map(\.name).joined(separator: ", "))")
                break
            }
            let start = variant.name == base[target.operation].variant.name ? base[target.operation].values
                : KernelChoice.defaults(variant)
            guard let found = descend(variant, from: start, on: searched, until: searchEnd, make: {
                try base.replacing(target.operation, variant: variant, overrides: $0, by: "tune")
            }), score(found.times) < score(best.times) else { continue }
            if try agrees(found.selection) { best = (found.selection, found.times) }
        }

        // The shapes of at most `regimeRows` rows, searched apart in the chosen variant.
        var chosen = best.selection
        if split, let rows = regimeRows, let unsplit = measure(best.selection, small) {
            let choice = best.selection[target.operation]
            if let found = descend(choice.variant, from: choice.values, on: small, until: end, make: {
                try best.selection.replacing(target.operation, overrides: [:], regimes: [rows: $0], by: "tune")
            }), score(found.times) < 0.98 * score(unsplit), try agrees(found.selection) {
                say(String(format: "regime M <= %d: %.3f ms over its %d shapes against %.3f with the large shapes' setting",
                           rows, score(found.times), small.count, score(unsplit)))
                chosen = found.selection
            }
        }
        let choice = chosen[target.operation]
        guard let times = measure(chosen, shapes) else {
            throw KernelParameterError("\(target.operation.rawValue): the tuned choice \(choice) stopped running")
        }
        let tunable = Set(choice.variant.parameters.map(\.name))
        let regimes = choice.regimeOverrides.sorted { $0.key < $1.key }.map { TuningResult.Regime(maxM: $0.key, parameters: $0.value) }
        return TuningResult(operation: target.operation.rawValue, variant: choice.variant.name,
                            parameters: choice.values.filter { tunable.contains($0.key) }, regimes: regimes.isEmpty ? nil : regimes,
                            shapes: shapes, milliseconds: times, baselineMilliseconds: baseline,
                            baseline: "\(base[target.operation])", tried: timed.count)
    }
}
