import ArgumentParser
import BertExperiments
import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime

/// `bertbench bench-gemm`: times the GEMM variant the device's profile runs (with `--param`
/// overrides) on one shape and prints GFLOP/s; `--op gemm-f16` times the fp16-weight GEMM, and
/// `--check` compares sampled rows with a float64 reference (exit 1 past the tolerance).
struct BenchGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-gemm",
                                                    abstract: "Time the GEMM kernels (fp32, int8, int4 weights) on one shape.")

    @Option(help: "Rows of A and C.") var m: Int = 1024
    @Option(help: "Columns of B and C.") var n: Int = 1024
    @Option(help: "Columns of A, rows of B.") var k: Int = 1024
    @Option(help: "Timed repetitions (after one warm-up).") var iterations: Int = 10
    @Option(name: .customLong("param"),
            help: ArgumentHelp("Override a parameter of the profile's GEMM variant (repeatable; see `bertbench devices`).",
                               valueName: "NAME=VALUE"))
    var parameters: [String] = []
    @Option(help: "B layout: kn ([K,N], the engine's) or nk ([N,K], a Linear weight as stored).") var layout: String = "kn"
    @Option(help: ArgumentHelp("Weight formats to time, comma-separated: "
                               + GEMMWeights.allCases.map(\.rawValue).joined(separator: ", ") + " (int8 = W8A8), or all.",
                               valueName: "LIST"))
    var weights: String = "fp32"
    @Option(help: "int4: input columns per scale and zero point (even).") var groupSize: Int = 128
    @Option(help: "OpenCL device: index or name fragment (see `bertbench devices`).") var device: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: "Operation: gemm (fp32) or gemm-f16 (fp16 weights [N,K], fp32 activations).") var op: String = "gemm"
    @Option(help: "Compare this many sampled rows of C with a float64 reference (0: no check).") var check: Int = 0
    @Option(name: .customLong("kernels"), help: "Kernel families: auto (what the device profiles choose) or portable.")
    var kernelFamily: String = "auto"
    @Flag(help: "Also time CLBlast on the same device and numpy/OpenBLAS on the CPU (from the repository, after scripts/setup).") var peers = false

    func validate() throws {
        guard m > 0, n > 0, k > 0 else { throw ValidationError("--m, --n and --k must be positive") }
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        guard ["kn", "nk"].contains(layout) else { throw ValidationError("--layout must be kn or nk, not '\(layout)'") }
        guard ["gemm", "gemm-f16"].contains(op) else { throw ValidationError("--op must be gemm or gemm-f16, not '\(op)'") }
        guard ["auto", "portable"].contains(kernelFamily) else { throw ValidationError("--kernels must be auto or portable") }
        guard check >= 0 else { throw ValidationError("--check must be 0 or positive") }
        _ = try overrides()
        _ = try formats()
        guard groupSize >= 2, groupSize % 2 == 0 else { throw ValidationError("--group-size must be even and at least 2, not \(groupSize)") }
    }

    /// The `--weights` list, checked.
    private func formats() throws -> [GEMMWeights] {
        if weights == "all" { return GEMMWeights.allCases }
        return try weights.split(separator: ",").map { name in
            guard let format = GEMMWeights(rawValue: String(name)) else {
                throw ValidationError("--weights: unknown format '\(name)' (\(GEMMWeights.allCases.map(\.rawValue).joined(separator: ", ")), all)")
            }
            return format
        }
    }

    /// The `--param` values by name.
    private func overrides() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for text in parameters {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]) else {
                throw ValidationError("--param \(text): expected NAME=INTEGER, for example TM=4")
            }
            result[parts[0]] = value
        }
        return result
    }

    func run() throws {
        let context = try ComputeContext(device: try Device.choose(device))
        let operation = KernelOperation(rawValue: op)!
        let standard = try ProfileCatalog.forKernels(kernelFamily).selection(for: DeviceIdentity(context.device))
        var selection = standard
        // --param applies to the operation timed: --op's, or each --weights format's.
        let timed = operation == .gemm ? try formats().map(\.operation) : [operation]
        for timedOperation in timed where !parameters.isEmpty {
            selection = try selection.replacing(timedOperation, overrides: try overrides(), by: "--param")
        }
        let kernels = try EncoderKernels(context: context, selection: selection)
        if check > 0 || operation == .gemmF16 { return try runChecked(kernels, operation) }
        let ours = try GEMMTiming.bertbench(kernels: kernels, m: m, n: n, k: k, layout: layout == "kn" ? .kByN : .nByK,
                                            iterations: iterations)
        let median = ours.medianMilliseconds, gflops = ours.gflopsPerSecond
        var rows: [(engine: String, ms: Double, gflops: Double)] = []
        var kernelOf: [String: String] = ["bertbench": ours.kernel ?? ""]
        for format in try formats() {
            if format == .fp32 {
                rows.append(("bertbench", median, gflops))
                continue
            }
            let t = try GEMMTiming.bertbench(kernels: kernels, weights: format, m: m, n: n, k: k, groupSize: groupSize, iterations: iterations)
            rows.append((t.engine, t.medianMilliseconds, t.gflopsPerSecond))
            kernelOf[t.engine] = t.kernel ?? ""
        }
        if peers {
            for peer in [Peers.clblast(m: m, n: n, k: k, deviceIndex: context.device.index), Peers.numpy(m: m, n: n, k: k)] {
                switch peer {
                case .success(let g): rows.append((g.engine, g.medianMilliseconds, g.gflopsPerSecond))
                case .failure(let e): FileHandle.standardError.write(Data("bench-gemm: \(e.message)\n".utf8))
                }
            }
        }
        for row in rows {
            let kernel = kernelOf[row.engine] ?? ""
            if json {
                print(#"{"engine":"\#(row.engine)","m":\#(m),"n":\#(n),"k":\#(k),"layout":"\#(layout)","median_ms":\#(row.ms),"#
                      + #""gflops":\#(row.gflops),"device":"\#(context.device.name)","kernel":"\#(kernel)"}"#)
            } else {
                print(String(format: "%@ %dx%dx%d: median %.3f ms, %.1f GFLOP/s%@", row.engine, m, n, k, row.ms, row.gflops,
                             row.engine.hasPrefix("bertbench") ? " (\(kernel), \(layout), \(context.device.name), \(iterations) iterations)"
                                                       : String(format: " (BertBench / this: %.2f)", median / row.ms)))
            }
        }
    }

    /// Times `operation` (gemm: B in --layout; gemm-f16: fp16 [N, K]) and, with --check, compares it with float64.
    private func runChecked(_ kernels: EncoderKernels, _ operation: KernelOperation) throws {
        let result = try GEMMCheck.run(kernels: kernels, operation: operation, m: m, n: n, k: k,
                                       layout: layout == "kn" ? .kByN : .nByK, iterations: iterations, checkRows: check)
        let t = result.measurement, kernel = t.kernel ?? ""
        // fp16 operands: 1e-3..1e-2 relative is expected (the tensor cores round A to fp16 too).
        // fp32: rounding in the K-long sums grows about as sqrt(K); 1e-4 held to K = 1024, and at
        // K = 4096 a correct kernel reached 1.6e-4 on the H200 (a dropped term costs ~1e-2).
        let tolerance = operation == .gemmF16 ? 2e-2 : 1e-4 * max(1, (Double(k) / 1024).squareRoot())
        let error = result.maxRelativeError
        let passed = error.map { $0 <= tolerance } ?? true
        if json {
            let errorText = error.map { $0.isFinite ? "\($0)" : "null" } ?? "null"
            print(#"{"engine":"bertbench","op":"\#(op)","m":\#(m),"n":\#(n),"k":\#(k),"median_ms":\#(t.medianMilliseconds),"#
                  + #""gflops":\#(t.gflopsPerSecond),"max_rel_error":\#(errorText),"checked_rows":\#(result.checkedRows),"#
                  + #""passed":\#(passed),"device":"\#(kernels.context.device.name)","kernel":"\#(kernel)"}"#)
        } else {
            let checked = error.map {
                String(format: ", max rel error %.2e over %d rows (%@)", $0, result.checkedRows, passed ? "ok" : "FAILED")
            } ?? ""
            print(String(format: "bertbench %@ %dx%dx%d: median %.3f ms, %.1f GFLOP/s (%@, %@)%@", op, m, n, k, t.medianMilliseconds,
                         t.gflopsPerSecond, kernel, kernels.context.device.name, checked))
        }
        if !passed {
            throw CheckFailure(String(format: "%@ %dx%dx%d on %@: max relative error %.2e over %d rows exceeds %.1e (%@)", op, m, n, k,
                                      kernels.context.device.name, error ?? .nan, result.checkedRows, tolerance, kernel))
        }
    }
}

