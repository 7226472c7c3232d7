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
        let chosen = Dictionary(uniqueKeysWithValues: lines.map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return (fields[0], fields.dropFirst().joined(separator: "\t"))
        })
        #expect(chosen["gemm"]?.hasPrefix("nvidia-sgemm-tiled") == true && chosen["gemm-f16"]?.hasPrefix("nvidia-mma-f16") == true
                && chosen["gemm-w8a8"]?.hasPrefix("nvidia-mma-w8a8") == true && chosen["attention-f16"]?.hasPrefix("nvidia-attention-mma") == true,
                "\(lines)")
        #expect(chosen["gemm-f16"]?.contains("-DWARP_PTX=1") == true && chosen["gemm-w8a8"]?.contains("-DNR=1") == true
                && chosen["attention-f16"]?.contains("-DWARP_PTX=1") == true && chosen["attention-f16"]?.contains("-DHEAD_DIM=64") == true)
        #expect(lines.allSatisfy { $0.split(separator: "\t")[1].hasPrefix("nvidia-") }, "--family nvidia lists only NVIDIA variants")
        let attention = try String(contentsOf: out.appendingPathComponent("nvidia-attention-mma.cl"), encoding: .utf8)
        #expect(attention.contains("shfl.sync.bfly.b32") && attention.contains("__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))"))
        let source = try String(contentsOf: out.appendingPathComponent("nvidia-mma-f16.cl"), encoding: .utf8)
        #expect(source.contains("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32") && source.contains("#define ACT_GELU"))

        let turing = try bertbench(["kernel-source", "--compute-capability", "7.5", "--family", "nvidia", "--out", try scratchDirectory().path])
        #expect(turing.status == 0 && turing.stdout.isEmpty, "sm_75 got NVIDIA variants: \(turing.stdout)")
    }

    @Test func kernelSourceBuildWritesTheDriversBinaryOfWhatRunsHere() throws {
        let out = try scratchDirectory()
        let run = try bertbench(["kernel-source", "--build", "--family", "portable", "--m", "128", "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let variants = run.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[1]) }
        #expect(variants.contains("portable-attention-lanes") || variants.contains("portable-attention"), "\(run.stdout)")
        for variant in variants {
            let size = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(variant + ".bin").path)[.size] as? Int
            #expect((size ?? 0) > 0, "\(variant).bin is missing or empty")
        }
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

    @Test func aFailedCheckIsOneLineThatSaysByHowMuch() throws {
        // The portable fp16 GEMM with every output a tenth too large.
        let kernels = try scratchDirectory()
        try FileManager.default.createDirectory(at: kernels.appendingPathComponent("portable"), withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/portable/gemm_f16.cl")
        let original = try String(contentsOf: source, encoding: .utf8)
        let broken = original.replacingOccurrences(of: "C[(size_t)m * ldc + n] = v;", with: "C[(size_t)m * ldc + n] = v * 1.1f;")
        #expect(broken != original, "Kernels/portable/gemm_f16.cl no longer has the store this test breaks")
        try Data(broken.utf8).write(to: kernels.appendingPathComponent("portable/gemm_f16.cl"))
        let run = try bertbench(["bench-gemm", "--op", "gemm-f16", "--m", "9", "--n", "33", "--k", "40", "--check", "4", "--iterations", "1",
                                 "--kernels", "portable"], environment: ["BERTBENCH_KERNELS": kernels.path])
        #expect(run.status == 1 && run.stdout.contains("(FAILED)"), "\(run.stdout) \(run.stderr)")
        expectOneLineError(run, mentioning: "max relative error")
    }

    @Test func kernelsPortableTakesTheNvidiaVariantsAway() throws {
        // A local profile that runs the NVIDIA SGEMM on this (PoCL) device, outranking every built-in one.
        let folder = try localProfileForThisDevice(#""gemm": {"variant": "nvidia-sgemm-tiled", "parameters": {"RM": 4, "RN": 4}}"#)
        let auto = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        let expected = "gemm: nvidia-sgemm-tiled TX=16 TY=16 RM=4 RN=4 BK=16 (64x64x16 blocks (32x32 at M <= 256), 2 stages)"
        #expect(auto.status == 0 && auto.stdout.contains(expected), "\(auto.stdout) \(auto.stderr)")
        let portable = try bertbench(["devices", "--kernels", "portable"], environment: ["BERTBENCH_PROFILES": folder.path])
        #expect(portable.status == 0 && !portable.stdout.contains("nvidia-") && portable.stdout.contains("gemm: portable-gemm"),
                "\(portable.stdout) \(portable.stderr)")
        expectOneLineError(try bertbench(["devices", "--kernels", "cuda"]), mentioning: "--kernels must be auto or portable")
    }

    @Test func aW8A8ModelRunsOnTheTensorCoreKernelAsOnThePortableOne() throws {
        // A local profile that runs nvidia-mma-w8a8 (emulated) on this device, as on an NVIDIA GPU.
        let folder = try localProfileForThisDevice(#""gemm-w8a8": {"variant": "nvidia-mma-w8a8", "#
            + #""parameters": {"WM": 1, "WN": 2, "MI": 2, "NI": 2, "WARP_PTX": 0}}"#)
        let chosen = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        #expect(chosen.stdout.contains("gemm-w8a8: nvidia-mma-w8a8"), "the local profile was not chosen: \(chosen.stdout)")
        let work = try WorkFolder(seed: 41, texts: "a good movie\nthe quick brown fox jumps over the lazy dog\n")
        let int8 = work.dir.appendingPathComponent("int8")
        #expect(try bertbench(["compress", "--model", work.model.path, "--out", int8.path, "--method", "int8"]).status == 0)
        var outputs: [[[Double]]] = []
        for (label, environment) in [("portable", [String: String]()), ("mma", ["BERTBENCH_PROFILES": folder.path])] {
            let out = work.dir.appendingPathComponent("\(label).jsonl")
            let run = try bertbench(["embed", "--model", int8.path, "--input", work.input.path, "--output", out.path, "--quiet"],
                                    environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map { line in
                let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                return (row["embedding"] as! [NSNumber]).map(\.doubleValue)
            })
        }
        #expect(outputs[0].count == 2 && outputs[1].count == 2)
        for (a, b) in zip(outputs[0], outputs[1]) {
            // Both sum int8 products exactly; only float rounding after the sums may differ.
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(a.prefix(4)) vs \(b.prefix(4))")
        }
    }

    /// A profile folder for $BERTBENCH_PROFILES holding one profile that matches this device by
    /// vendor and name (as specific as the built-in pocl-cpu, and local files win ties) with `kernels`.
    func localProfileForThisDevice(_ kernels: String) throws -> URL {
        let devices = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": try scratchDirectory().path])
        let lines = devices.stdout.split(separator: "\n").map(String.init)
        let first = try #require(lines.first { $0.hasPrefix("[0] ") })
        let name = String(first.dropFirst(4).components(separatedBy: " (").first!)
        let vendor = String(try #require(lines.first { $0.contains(", vendor ") }).components(separatedBy: ", vendor ").last!)
        let folder = try scratchDirectory()
        let profile = #"{"name": "here", "match": {"vendor": "\#(vendor)", "device": "\#(name)"}, "kernels": {\#(kernels)}}"#
        try Data(profile.utf8).write(to: folder.appendingPathComponent("here.json"))
        return folder
    }

    @Test func onlyFP16AndW8A8ModelsRunTheFP16Attention() throws {
        // attention-f16 on the emulated tensor-core kernel, attention left as it is.
        let folder = try localProfileForThisDevice(#""attention-f16": {"variant": "nvidia-attention-mma", "parameters": {"WARP_PTX": 0}}"#)
        let work = try WorkFolder(seed: 43, texts: "a good movie\nthe quick brown fox jumps over the lazy dog\n")
        let fp16 = work.dir.appendingPathComponent("fp16")
        let w8a8 = work.dir.appendingPathComponent("w8a8")
        #expect(try bertbench(["compress", "--model", work.model.path, "--out", fp16.path, "--method", "fp16"]).status == 0)
        #expect(try bertbench(["compress", "--model", work.model.path, "--out", w8a8.path, "--method", "int8"]).status == 0)
        func embed(_ model: URL, _ environment: [String: String]) throws -> [[Double]] {
            let out = work.dir.appendingPathComponent(UUID().uuidString + ".jsonl")
            let run = try bertbench(["embed", "--model", model.path, "--input", work.input.path, "--output", out.path, "--quiet"],
                                    environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            return try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map { line in
                ((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["embedding"] as! [NSNumber]).map(\.doubleValue)
            }
        }
        let profile = ["BERTBENCH_PROFILES": folder.path]
        #expect(try embed(work.model, [:]) == (try embed(work.model, profile)), "an fp32 model's attention changed with attention-f16")
        for model in [fp16, w8a8] {
            let plain = try embed(model, [:]), tensor = try embed(model, profile)
            #expect(plain != tensor, "the \(model.lastPathComponent) model did not run the attention-f16 choice")
            for (a, b) in zip(plain, tensor) {
                let dot: Double = zip(a, b).map { $0 * $1 }.reduce(0, +)
                let na: Double = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb: Double = b.map { $0 * $0 }.reduce(0, +).squareRoot()
                let cosine = dot / (na * nb)
                #expect(cosine > 0.9999, "fp16 attention moved the \(model.lastPathComponent) embedding too far: cosine \(cosine)")
            }
        }
    }

    @Test func benchGEMMChecksTheFP16GEMMAndTheMMAStep() throws {
        let gemm = try bertbench(["bench-gemm", "--op", "gemm-f16", "--m", "37", "--n", "45", "--k", "29", "--check", "8", "--iterations", "2"])
        #expect(gemm.status == 0 && gemm.stdout.contains("(ok)"), "\(gemm.stdout) \(gemm.stderr)")
        let mma = try bertbench(["check-mma"])
        #expect(mma.status == 0 && mma.stdout.contains("WARP_PTX=0") && mma.stdout.contains("(ok)"), "\(mma.stdout) \(mma.stderr)")
    }

    @Test func checkAttentionRunsTheEmulatedFlashKernelAndTheTiledOneAgainstFloat64() throws {
        let run = try bertbench(["check-attention", "--time", "1x16", "--settings", "1x16", "--iterations", "1"])
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let ok = lines.filter { $0.hasSuffix("(ok)") }
        #expect(run.status == 0 && ok.filter { $0.hasPrefix("nvidia-attention-mma") }.count == 9
                && ok.filter { $0.hasPrefix("portable-attention-tiled") }.count == 9, "\(run.stdout) \(run.stderr)")
        #expect(lines.contains { $0.contains("portable-attention") } && lines.contains { $0.contains("WARPS=1 KB=16 WARP_PTX=0") }
                && lines.contains { $0.contains("portable-attention-tiled WG=32 KB=16") })
    }
}
