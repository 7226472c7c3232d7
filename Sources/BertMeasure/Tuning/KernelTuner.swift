import BertKernels
import Foundation
import OpenCLRuntime

/// What tuning one operation found: the best variant and parameters next to the profile's own
/// choice, each timed at the same shapes in the same run.
public struct TuningResult: Codable, Sendable {
    public let operation: String
    public let variant: String
    public let parameters: [String: Int]
    /// The shapes timed ([m, n, k] for GEMMs).
    public let shapes: [[Int]]
    /// Per shape, median device ms of the best setting and of the profile's choice.
    public let milliseconds: [Double]
    public let baselineMilliseconds: [Double]
    /// What ran before tuning ("gemm: portable-gemm-packed KU=4 MR=6 NV=2 VW=16").
    public let baseline: String
    /// Settings timed (those that failed to build or run are not counted).
    public let tried: Int
    /// Total time over the shapes, baseline over best (above 1: tuning helped).
    public var speedup: Double { baselineMilliseconds.reduce(0, +) / max(milliseconds.reduce(0, +), 1e-12) }
}

/// Searches each variant of an operation by coordinate descent over its parameters (one
/// parameter at a time through its allowed values, the others held, until a round improves
/// nothing or the time budget is spent), scoring a setting by its total time over the shapes.
/// A full grid would be hundreds of builds (the packed GEMM alone has 576 settings); descent
/// from the profile's values reaches a local best in a few dozen.
public enum KernelTuner {
    /// Tunes `target` on `context`'s device starting from `base`, over the variants `allowed`
    /// accepts (all by default; `--kernels portable` keeps Kernels/portable/ ones); `say` reports progress.
    public static func tune(_ target: TuningTarget, context: ComputeContext, base: KernelSelection, shapes: [[Int]],
                            budget: TimeInterval, allowed: (KernelVariant) -> Bool = { _ in true },
                            say: (String) -> Void) throws -> TuningResult {
        let started = Date()
        var timed: [String: [Double]] = [:]
        func score(_ times: [Double]) -> Double { times.reduce(0, +) }
        /// Times one setting; nil when it does not build or run here (a combination the kernel refuses).
        func measure(_ selection: KernelSelection) -> [Double]? {
            let key = selection[target.operation].description
            if let known = timed[key] { return known }
            do {
                let begun = Date()
                let kernels = try EncoderKernels(context: context, selection: selection)
                let times = try shapes.map { try target.time(kernels, $0) }
                timed[key] = times
                // One line per setting: on a GPU host with a per-call limit, the log shows where time went.
                say(String(format: "timed %@: %.3f ms over the shapes (%.1f s to build and time)", key, score(times),
                           Date().timeIntervalSince(begun)))
                return times
            } catch {
                say("skipped \(key): \(error)")
                return nil
            }
        }
        guard let baseline = measure(base) else {
            throw KernelParameterError("\(target.operation.rawValue): the profile's own choice \(base[target.operation]) does not run here")
        }
        var best = (selection: base, times: baseline)
        // The profile's own variant first: with a short budget, its neighbourhood matters most.
        let variants = KernelVariantRegistry.all.filter { $0.serves(target.operation) && allowed($0) }
            .sorted { a, _ in a.name == base[target.operation].variant.name }
        for (index, variant) in variants.enumerated() {
            guard index == 0 || Date().timeIntervalSince(started) < budget else {
                say("budget spent; not tried: \(variants[index...].map(\.name).joined(separator: ", "))")
                break
            }
            let start = variant.name == base[target.operation].variant.name ? base[target.operation].values : [:]
            guard var current = try? base.replacing(target.operation, variant: variant, overrides: start, by: "tune"),
                  var currentTimes = measure(current) else { continue }
            var improved = true
            while improved && Date().timeIntervalSince(started) < budget {
                improved = false
                for parameter in variant.parameters where parameter.tunable {
                    for value in parameter.allowed where Date().timeIntervalSince(started) < budget {
                        var values = current[target.operation].values
                        guard values[parameter.name] != value else { continue }
                        values[parameter.name] = value
                        guard let candidate = try? base.replacing(target.operation, variant: variant, overrides: values, by: "tune"),
                              let times = measure(candidate) else { continue }
                        if score(times) < score(currentTimes) {
                            (current, currentTimes, improved) = (candidate, times, true)
                            say(String(format: "%@: %.3f ms over the shapes (%d settings timed)", "\(candidate[target.operation])",
                                       score(times), timed.count))
                        }
                    }
                }
            }
            guard score(currentTimes) < score(best.times) else { continue }
            // A setting that computes something else is not a candidate, however fast.
            let difference = try target.difference(try EncoderKernels(context: context, selection: current),
                                                   try EncoderKernels(context: context, selection: base))
            if difference <= target.tolerance {
                best = (current, currentTimes)
            } else {
                say("refused \(current[target.operation]): its output differs from the profile's by \(difference) (relative)")
            }
        }
        let choice = best.selection[target.operation]
        let tunable = Set(choice.variant.parameters.map(\.name))
        return TuningResult(operation: target.operation.rawValue, variant: choice.variant.name,
                            parameters: choice.values.filter { tunable.contains($0.key) }, shapes: shapes, milliseconds: best.times,
                            baselineMilliseconds: baseline, baseline: "\(base[target.operation])", tried: timed.count)
    }
}
