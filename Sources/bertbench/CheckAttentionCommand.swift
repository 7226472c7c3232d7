import ArgumentParser
import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime

/// `bertbench check-attention`: nvidia-attention-mma (inline PTX on NVIDIA, or the emulation) and
/// portable-attention-tiled against float64 on odd shapes, then timed beside portable-attention at
/// bert-large's shapes; exit 1 when an error passes its bound.
struct CheckAttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-attention",
        abstract: "Check nvidia-attention-mma (PTX or emulation) and portable-attention-tiled against float64; time them beside portable-attention.")

    @Option(help: "1: inline PTX (NVIDIA sm_80+ only); 0: the local-memory emulation.") var ptx: Int = 0
    @Option(help: "OpenCL device: index or name fragment (see `bertbench devices`).") var device: String?
    @Option(help: "Timed shapes, BATCHxSEQ at 16 heads of 64 (bert-large); none: --time ''.") var time: String = "1x128,32x384"
    @Option(help: "Timed launches per variant and shape (the median is printed).") var iterations: Int = 10
    @Option(help: "Timed settings of nvidia-attention-mma, WARPSxKB, comma-separated (the profile's is 4x64).")
    var settings: String = "4x64,2x64,8x64,4x32"

    func validate() throws {
        guard [0, 1].contains(ptx) else { throw ValidationError("--ptx must be 0 or 1") }
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
    }

    func run() throws {
        let chosen = try Device.choose(device)
        // Inline PTX means nothing to other compilers (PoCL's LLVM aborts the process on it).
        guard ptx == 0 || chosen.computeCapability != nil else {
            throw ValidationError("--ptx 1 needs an NVIDIA device reporting a compute capability; \(chosen.name) reports none")
        }
        let context = try ComputeContext(device: chosen)
        let selection = try ProfileCatalog.standard().selection(for: DeviceIdentity(chosen))
        // Each checked variant's rows against its bound: fp16 inputs for the tensor-core kernel, fp32
        // for the GPU candidate for fp32 models' attention.
        var passed = true
        for (label, rows, bound) in [
            ("nvidia-attention-mma WARP_PTX=\(ptx)", try AttentionCheck.check(context: context, selection: selection, ptx: ptx == 1), 2e-3),
            ("portable-attention-tiled", try AttentionCheck.check(context: context, selection: selection, variant: PortableAttention.tiled,
                                                                 overrides: [:], roundHalf: false), 1e-4),
        ] {
            for row in rows {
                let ok = row.maxRelativeError < bound
                passed = passed && ok
                print(String(format: "%@ %@: max rel error %.2e (%@)", label, row.shape, row.maxRelativeError, ok ? "ok" : "FAILED"))
            }
        }
        for shape in time.split(separator: ",") {
            let parts = shape.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("--time: \(shape) is not BATCHxSEQ") }
            let (batch, seq) = (parts[0], parts[1])
            let portable = try AttentionCheck.time(context: context, selection: selection, variant: PortableAttention.attention,
                                                   overrides: [:], batch: batch, seq: seq, heads: 16, headDim: 64, iterations: iterations)
            let flops = 4.0 * Double(batch * 16 * seq * seq * 64)
            print(String(format: "attention %dx%d, 16 heads of 64, one layer: portable-attention %.3f ms", batch, seq, portable))
            // The fp32 candidate for fp32 models' attention: the GPU-shaped tiled kernel at its block settings.
            for (wg, kb) in [(64, 32), (128, 32), (32, 16), (64, 16)] {
                let tiled = try AttentionCheck.time(context: context, selection: selection, variant: PortableAttention.tiled,
                                                    overrides: ["WG": wg, "KB": kb], batch: batch, seq: seq, heads: 16, headDim: 64,
                                                    iterations: iterations)
                print(String(format: "attention %dx%d, 16 heads of 64, one layer: portable-attention-tiled WG=%d KB=%d (fp32) %.3f ms (%.1f TFLOP/s, %.1fx portable)",
                             batch, seq, wg, kb, tiled, flops / tiled / 1e9, portable / tiled))
            }
            for setting in settings.split(separator: ",") {
                let values = setting.split(separator: "x").compactMap { Int($0) }
                guard values.count == 2 else { throw ValidationError("--settings: \(setting) is not WARPSxKB") }
                let mma = try AttentionCheck.time(context: context, selection: selection, variant: NvidiaAttention.mma,
                                                  overrides: ["WARP_PTX": ptx, "WARPS": values[0], "KB": values[1]],
                                                  batch: batch, seq: seq, heads: 16, headDim: 64, iterations: iterations)
                print(String(format: "attention %dx%d, 16 heads of 64, one layer: nvidia-attention-mma WARPS=%d KB=%d WARP_PTX=%d %.3f ms (%.1f TFLOP/s, %.1fx portable)",
                             batch, seq, values[0], values[1], ptx, mma, flops / mma / 1e9, portable / mma))
            }
        }
        if !passed { throw CheckFailure("a shape's max relative error exceeds its bound (2e-3 for nvidia-attention-mma, 1e-4 for portable-attention-tiled; lines above)") }
    }
}
