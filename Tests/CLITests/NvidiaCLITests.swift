import Foundation
import Testing

/// The NVIDIA family from the command line, without a GPU: what the profiles would build for a
/// described sm_90 device, `--kernels portable`, the fp16-weight GEMM check and the mma check.
@Suite struct NvidiaCLITests {
    @Test func kernelSourceWritesTheNvidiaVariantsOnlyFromComputeCapability80() throws {
        let out = try scratchDirectory()
        let h100 = try bertbench(["kernel-source", "--compute-capability", "9.0", "--family", "nvidia", "--out", out.path])
        #expect(h100.status == 0, "\(h100.stderr)")
        let lines = h100.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0].hasPrefix("gemm\tnvidia-sgemm-tiled") && lines[1].hasPrefix("gemm-f16\tnvidia-mma-f16")
                && lines[2].hasPrefix("attention\tnvidia-attention-mma"), "\(lines)")
        #expect(lines[1].contains("-DWARP_PTX=1") && lines[2].contains("-DWARP_PTX=1") && lines[2].contains("-DHEAD_DIM=64"))
        let attention = try String(contentsOf: out.appendingPathComponent("nvidia-attention-mma.cl"), encoding: .utf8)
        #expect(attention.contains("shfl.sync.bfly.b32") && attention.contains("__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))"))
        let source = try String(contentsOf: out.appendingPathComponent("nvidia-mma-f16.cl"), encoding: .utf8)
        #expect(source.contains("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32") && source.contains("#define ACT_GELU"))

        let turing = try bertbench(["kernel-source", "--compute-capability", "7.5", "--family", "nvidia", "--out", try scratchDirectory().path])
        #expect(turing.status == 0 && turing.stdout.isEmpty, "sm_75 got NVIDIA variants: \(turing.stdout)")
    }

    @Test func kernelSourcesInBERTBENCH_KERNELSReplaceTheirEmbeddedNamesakes() throws {
        let kernels = try scratchDirectory()
        try FileManager.default.createDirectory(at: kernels.appendingPathComponent("nvidia"), withIntermediateDirectories: true)
        try Data("// replaced on a GPU host\n".utf8).write(to: kernels.appendingPathComponent("nvidia/gemm_mma.cl"))
        let out = try scratchDirectory()
        let run = try bertbench(["kernel-source", "--compute-capability", "9.0", "--family", "nvidia", "--out", out.path],
                                environment: ["BERTBENCH_KERNELS": kernels.path])
        #expect(run.status == 0, "\(run.stderr)")
        let mma = try String(contentsOf: out.appendingPathComponent("nvidia-mma-f16.cl"), encoding: .utf8)
        let sgemm = try String(contentsOf: out.appendingPathComponent("nvidia-sgemm-tiled.cl"), encoding: .utf8)
        #expect(mma.contains("// replaced on a GPU host") && !mma.contains("gemm_f16_nt("))
        // The files it does not hold stay embedded: the family's common.cl and the SGEMM.
        #expect(mma.contains("#define WARP_SIZE 32") && sgemm.contains("gemm_nt"))
    }

    @Test func kernelsPortableTakesTheNvidiaVariantsAway() throws {
        // A local profile that runs the NVIDIA SGEMM on this (PoCL) device, outranking every built-in one.
        let before = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": try scratchDirectory().path])
        let lines = before.stdout.split(separator: "\n").map(String.init)
        let first = try #require(lines.first { $0.hasPrefix("[0] ") })
        let name = String(first.dropFirst(4).components(separatedBy: " (").first!)
        let vendor = String(try #require(lines.first { $0.contains(", vendor ") }).components(separatedBy: ", vendor ").last!)
        let folder = try scratchDirectory()
        let profile = #"{"name": "nv-here", "match": {"vendor": "\#(vendor)", "device": "\#(name)"}, "#
            + #""kernels": {"gemm": {"variant": "nvidia-sgemm-tiled", "parameters": {"RM": 4, "RN": 4}}}}"#
        try Data(profile.utf8).write(to: folder.appendingPathComponent("nv.json"))
        let auto = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        let expected = "gemm: nvidia-sgemm-tiled TX=16 TY=16 RM=4 RN=4 BK=16 (64x64x16 blocks (32x32 at M <= 256), 2 stages)"
        #expect(auto.status == 0 && auto.stdout.contains(expected), "\(auto.stdout) \(auto.stderr)")
        let portable = try bertbench(["devices", "--kernels", "portable"], environment: ["BERTBENCH_PROFILES": folder.path])
        #expect(portable.status == 0 && !portable.stdout.contains("nvidia-") && portable.stdout.contains("gemm: portable-gemm"),
                "\(portable.stdout) \(portable.stderr)")
        expectOneLineError(try bertbench(["devices", "--kernels", "cuda"]), mentioning: "--kernels must be auto or portable")
    }

    @Test func benchGEMMChecksTheFP16GEMMAndTheMMAStep() throws {
        let gemm = try bertbench(["bench-gemm", "--op", "gemm-f16", "--m", "37", "--n", "45", "--k", "29", "--check", "8", "--iterations", "2"])
        #expect(gemm.status == 0 && gemm.stdout.contains("(ok)"), "\(gemm.stdout) \(gemm.stderr)")
        let mma = try bertbench(["check-mma"])
        #expect(mma.status == 0 && mma.stdout.contains("WARP_PTX=0") && mma.stdout.contains("(ok)"), "\(mma.stdout) \(mma.stderr)")
    }

    @Test func checkAttentionRunsTheEmulatedFlashKernelAgainstFloat64() throws {
        let run = try bertbench(["check-attention", "--time", "1x16", "--settings", "1x16", "--iterations", "1"])
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(run.status == 0 && lines.filter { $0.hasSuffix("(ok)") }.count == 9, "\(run.stdout) \(run.stderr)")
        #expect(lines.contains { $0.contains("portable-attention") } && lines.contains { $0.contains("WARPS=1 KB=16 WARP_PTX=0") })
    }
}
