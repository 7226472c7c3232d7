import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// The mma.sync GEMMs' small-M paths (half-size blocks, split-K into a workspace plus one
    /// reduce) through the warp emulation (WARP_PTX=0) with the profile's tiling, on odd shapes
    /// whose K splits into several slices with a ragged last one, into NaN-poisoned outputs.
    @Suite struct GEMMMMASmallM {
        /// The profile's tiling (profiles/nvidia-sm80.json), emulated.
        static let profileTiling = ["WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 0]

        /// One case: a shape, the K slices the rule must pick for it, and what the epilogue does.
        struct Case: Sendable, CustomStringConvertible {
            let m: Int, n: Int, k: Int, slices: Int
            let activation: Activation, bias: Bool, residual: Bool
            var description: String { "\(m)x\(n)x\(k) slices=\(slices) \(activation) bias=\(bias) residual=\(residual)" }
        }

        /// fp16: 64 x 64 blocks at M <= 384 (while at most 264); K tiles of 32, at least 8 per slice.
        static let f16Cases: [Case] = [
            // 35 K tiles (the last 1 wide) in 4 slices of 9, 9, 9, 8.
            Case(m: 383, n: 33, k: 1089, slices: 4, activation: .gelu, bias: true, residual: true),
            Case(m: 1, n: 129, k: 1089, slices: 4, activation: .none, bias: false, residual: false),
            // 129 tiles in 8 slices of 17 (the last 10).
            Case(m: 37, n: 33, k: 4097, slices: 8, activation: .gelu, bias: true, residual: false),
            Case(m: 129, n: 67, k: 1001, slices: 4, activation: .tanh, bias: true, residual: true),
            Case(m: 129, n: 130, k: 95, slices: 1, activation: .relu, bias: true, residual: false),  // small blocks, K too short to split
            Case(m: 385, n: 70, k: 67, slices: 1, activation: .gelu, bias: true, residual: true),    // past 384 rows: 128 x 128 blocks
        ]

        /// Runs one fp16 case into a poisoned C and returns C (with its 5 guard values).
        func runF16(_ kernels: EncoderKernels, _ c: Case, seed: UInt64) throws -> (out: [Float], expected: [Double]) {
            var rng = SeededGenerator(seed: seed)
            let a = randomFloats(c.m * c.k, &rng), w = randomFloats(c.n * c.k, &rng)
            let bias = randomFloats(c.n, &rng), residual = randomFloats(c.m * c.n, &rng)
            let ctx = TestDevice.context
            let out = try poisoned(c.m * c.n + 5)
            try kernels.gemmF16(a: try ctx.upload(a), weight: try ctx.upload(w.map { Float16($0).bitPattern }),
                                bias: c.bias ? try ctx.upload(bias) : nil, residual: c.residual ? try ctx.upload(residual) : nil,
                                c: out, m: c.m, n: c.n, k: c.k, activation: c.activation)
            let expected = GEMMF16().reference(a: a, w: w, bias: c.bias ? bias : nil, residual: c.residual ? residual : nil,
                                               m: c.m, n: c.n, k: c.k, activation: c.activation, roundA: true)
            return (try out.read(), expected)
        }

        @Test(arguments: f16Cases)
        func f16MatchesReference(_ c: Case) throws {
            let kernels = try TestDevice.kernels(.gemmF16, Self.profileTiling, variant: NvidiaGEMM.mmaF16)
            #expect(kernels.selection[.gemmF16].kSlices(for: KernelProblem(m: c.m, n: c.n, k: c.k)) == c.slices, "\(c)")
            let (out, expected) = try runF16(kernels, c, seed: UInt64(c.m * 7 + c.k))
            // Against A rounded to fp16 as the kernel rounds it: only the fp32 summation order differs.
            let error = maxRelativeError(Array(out[..<(c.m * c.n)]), expected)
            #expect(error < 2e-5, "\(c): max rel error \(error)")
            #expect(out[(c.m * c.n)...].allSatisfy { $0.isNaN }, "\(c) wrote past C")
        }

        @Test(arguments: [f16Cases[0], f16Cases[2]])
        func f16WithLdmatrixMatchesReference(_ c: Case) throws {
            // The half-size blocks (2 x 2 fragments a warp) and split-K with the emulated ldmatrix.
            var values = Self.profileTiling
            values["LDMATRIX"] = 1
            let kernels = try TestDevice.kernels(.gemmF16, values, variant: NvidiaGEMM.mmaF16)
            #expect(kernels.selection[.gemmF16].kSlices(for: KernelProblem(m: c.m, n: c.n, k: c.k)) == c.slices, "\(c)")
            let (out, expected) = try runF16(kernels, c, seed: UInt64(c.m * 7 + c.k))
            let error = maxRelativeError(Array(out[..<(c.m * c.n)]), expected)
            #expect(error < 2e-5, "LDMATRIX=1 \(c): max rel error \(error)")
            #expect(out[(c.m * c.n)...].allSatisfy { $0.isNaN }, "LDMATRIX=1 \(c) wrote past C")
        }

        /// BK = 64 with 64 x 64 full blocks (two stages in 36,864 bytes, which fits every device's
        /// local memory), so 32 x 32 half-size blocks at small M; K tiles of 64, at least 8 per slice.
        static let bk64Tiling = ["WM": 2, "WN": 4, "MI": 2, "NI": 2, "WARP_PTX": 0, "BK": 64]
        static let bk64Cases: [Case] = [
            // 65 K tiles (the last 1 wide) in 8 slices of 9 (the last 2).
            Case(m: 37, n: 33, k: 4097, slices: 8, activation: .gelu, bias: true, residual: true),
            // 18 tiles (the last 1 wide) in 2 slices of 9.
            Case(m: 383, n: 33, k: 1089, slices: 2, activation: .tanh, bias: true, residual: false),
            // 16 tiles (the last 41 wide) in 2 slices of 8.
            Case(m: 129, n: 67, k: 1001, slices: 2, activation: .none, bias: false, residual: true),
            Case(m: 385, n: 70, k: 67, slices: 1, activation: .relu, bias: true, residual: true),     // past 384 rows: full blocks
        ]

        @Test(arguments: [0, 1])
        func f16WithBK64MatchesReference(ldmatrix: Int) throws {
            var values = Self.bk64Tiling
            values["LDMATRIX"] = ldmatrix
            let kernels = try TestDevice.kernels(.gemmF16, values, variant: NvidiaGEMM.mmaF16)
            for c in Self.bk64Cases {
                #expect(kernels.selection[.gemmF16].kSlices(for: KernelProblem(m: c.m, n: c.n, k: c.k)) == c.slices, "\(c)")
                let (out, expected) = try runF16(kernels, c, seed: UInt64(c.m * 3 + c.k))
                let error = maxRelativeError(Array(out[..<(c.m * c.n)]), expected)
                // Fewer, longer slices than at BK = 32 (2 of 8 tiles for K = 1001, not 4): longer fp32
                // sums, 2.4e-5 there. A wrong index costs 1e-1 and more.
                #expect(error < 5e-5, "BK=64 LDMATRIX=\(ldmatrix) \(c): max rel error \(error)")
                #expect(out[(c.m * c.n)...].allSatisfy { $0.isNaN }, "BK=64 LDMATRIX=\(ldmatrix) \(c) wrote past C")
            }
        }

        @Test func f16SplitKIsDeterministicAndAgreesWithUnsplit() throws {
            let c = Self.f16Cases[0]
            let split = try TestDevice.kernels(.gemmF16, Self.profileTiling, variant: NvidiaGEMM.mmaF16)
            let first = try runF16(split, c, seed: 5).out, second = try runF16(split, c, seed: 5).out
            #expect(first.map(\.bitPattern) == second.map(\.bitPattern), "split-K must give the same bits every run")
            var unsplitValues = Self.profileTiling
            unsplitValues["KSPLIT"] = 1
            let unsplit = try TestDevice.kernels(.gemmF16, unsplitValues, variant: NvidiaGEMM.mmaF16)
            #expect(unsplit.selection[.gemmF16].kSlices(for: KernelProblem(m: c.m, n: c.n, k: c.k)) == 1)
            let other = try runF16(unsplit, c, seed: 5).out
            let error = maxRelativeError(Array(first[..<(c.m * c.n)]), Array(other[..<(c.m * c.n)]).map(Double.init))
            #expect(error < 2e-5, "split against unsplit: \(error)")
        }

        /// SPLITK_REDUCE=1: each split GEMM is one launch whose last work-group per tile sums the
        /// slices. The same bits as the two-launch path (the same sums in the same order), every
        /// case including residual and activation; run twice in a row, so the tile counters must
        /// have been left at zero; and one launch per GEMM, not two.
        @Test func f16InKernelReduceIsTheTwoLaunchResultBitForBit() throws {
            var values = Self.profileTiling
            values["SPLITK_REDUCE"] = 1
            let fused = try TestDevice.kernels(.gemmF16, values, variant: NvidiaGEMM.mmaF16)
            let separate = try TestDevice.kernels(.gemmF16, Self.profileTiling, variant: NvidiaGEMM.mmaF16)
            for (index, c) in Self.f16Cases.enumerated() {
                #expect(fused.selection[.gemmF16].reducesInKernel(for: KernelProblem(m: c.m, n: c.n, k: c.k)))
                for round in 0..<2 {
                    let (out, expected) = try runF16(fused, c, seed: UInt64(index * 11 + round))
                    let (other, _) = try runF16(separate, c, seed: UInt64(index * 11 + round))
                    #expect(out.map(\.bitPattern) == other.map(\.bitPattern), "\(c) round \(round): in-kernel reduce differs from the reduce launch")
                    #expect(maxRelativeError(Array(out[..<(c.m * c.n)]), expected) < 2e-5, "\(c)")
                }
            }
            let context = TestDevice.context
            let c = Self.f16Cases[2]
            context.startRecording()
            _ = try runF16(fused, c, seed: 1)
            let launches = try context.stopRecording().filter { $0.category == "gemm" }.map(\.kernel)
            #expect(launches == ["gemm_f16_nt_splitk"], "\(launches)")
        }

        @Test func int8InKernelReduceIsBitExact() throws {
            var values = Self.profileTiling
            values["SPLITK_REDUCE"] = 1
            let kernels = try TestDevice.kernels(.gemmW8A8, values, variant: NvidiaGEMM.mmaW8A8)
            for _ in 0..<2 {
                try GEMMInt8Packed.checkBitExact(kernels, cases: Self.int8Shapes, label: "nvidia-mma-w8a8 SPLITK_REDUCE=1")
                try GEMMInt8Packed.checkFolds(kernels, cases: Self.int8Shapes.enumerated().map { ($0.offset, $0.element.m, $0.element.n, $0.element.k) },
                                              label: "nvidia-mma-w8a8 SPLITK_REDUCE=1")
            }
        }

        /// int8: the same rule with K tiles of 64 (8 per slice: K >= 1024 splits in two).
        static let int8Shapes: [(m: Int, n: Int, k: Int)] = [(383, 33, 2113), (1, 129, 1089), (37, 41, 4097), (129, 67, 1025), (400, 37, 130)]
        static let int8Slices = [4, 2, 8, 2, 1]

        @Test func int8SplitKIsBitExactAgainstIntegerSums() throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, Self.profileTiling, variant: NvidiaGEMM.mmaW8A8)
            for (shape, slices) in zip(Self.int8Shapes, Self.int8Slices) {
                #expect(kernels.selection[.gemmW8A8].kSlices(for: KernelProblem(m: shape.m, n: shape.n, k: shape.k)) == slices, "\(shape)")
            }
            try GEMMInt8Packed.checkBitExact(kernels, cases: Self.int8Shapes, label: "nvidia-mma-w8a8 small M")
        }

        @Test func int8SplitKFoldsScalesBiasAndActivation() throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, Self.profileTiling, variant: NvidiaGEMM.mmaW8A8)
            try GEMMInt8Packed.checkFolds(kernels, cases: Self.int8Shapes.enumerated().map { ($0.offset, $0.element.m, $0.element.n, $0.element.k) },
                                          label: "nvidia-mma-w8a8 small M")
        }
    }

    /// The small-M rule itself, no device: what bert-large's Linear shapes get with the profile's
    /// tiling, and that every split leaves no K slice empty.
    @Suite struct MMASmallMRule {
        static let profile = try! KernelChoice(NvidiaGEMM.mmaF16, overrides: ["WARP_PTX": 1])

        @Test func bertLargeShapesFillTheGPU() {
            // (M, N, K) -> K slices: M = 128 and 384 tokens, QKV 3072x1024, attention out 1024x1024,
            // FFN up 4096x1024, FFN down 1024x4096 (N x K).
            let expected: [(Int, Int, Int, Int)] = [
                (128, 3072, 1024, 2), (128, 1024, 1024, 4), (128, 4096, 1024, 2), (128, 1024, 4096, 8),
                (384, 3072, 1024, 1), (384, 1024, 1024, 2), (384, 4096, 1024, 1), (384, 1024, 4096, 2),
                (4096, 1024, 4096, 1), (12288, 4096, 1024, 1),
            ]
            for (m, n, k, slices) in expected {
                let problem = KernelProblem(m: m, n: n, k: k)
                #expect(Self.profile.kSlices(for: problem) == slices, "\(m)x\(n)x\(k)")
                // 64 x 64 blocks at M <= 384 while they number at most 264: not QKV and FFN up at 384 rows.
                let small = m <= 384 && tiles(m, 64) * tiles(n, 64) <= 264
                let block = small ? 64 : 128
                #expect(Self.profile.buildOptions(for: problem).hasSuffix("-DSMALL_BLOCK=\(small ? 1 : 0)"), "\(m)x\(n)x\(k)")
                let plain = Self.profile.geometry("gemm_f16_nt", for: problem)
                #expect(plain.global == [tiles(n, block) * 256, tiles(m, block)] && plain.local == [256, 1], "\(m)x\(n)x\(k)")
                let partial = Self.profile.geometry("gemm_f16_nt_partial", for: problem)
                #expect(partial.global == [tiles(n, block) * 256, tiles(m, block), slices], "\(m)x\(n)x\(k)")
                // Never more work-groups than two per SM of a 132-SM card once split.
                #expect(slices == 1 || tiles(n, block) * tiles(m, block) * slices <= 264)
            }
        }

        @Test func slicesAreNeverEmpty() {
            for k in stride(from: 1, through: 9000, by: 37) {
                for (m, n) in [(1, 1), (128, 1024), (383, 65)] {
                    let slices = Self.profile.kSlices(for: KernelProblem(m: m, n: n, k: k))
                    let tilesK = tiles(k, 32), perSlice = tiles(tilesK, slices)
                    // The kernels give slice z the tiles [z p, min(T, (z + 1) p)): the last must start inside K.
                    #expect(slices >= 1 && (slices - 1) * perSlice < tilesK && slices * perSlice >= tilesK, "\(m)x\(n)x\(k)")
                    #expect(slices == 1 || perSlice >= 8, "\(m)x\(n)x\(k): slices of \(perSlice) tiles")
                }
            }
        }

        @Test func bk64BuildsAndSaysItsBlock() throws {
            let small = try KernelChoice(NvidiaGEMM.mmaF16, overrides: ["MI": 2, "NI": 2, "BK": 64])
            #expect(small.description.hasSuffix("(64x64x64 blocks (32x32 at M <= 384 up to 264 blocks, split-K up to 8 slices), 2 stages, 8 warps, emulated mma)"))
            #expect(small.buildOptions(for: KernelProblem(m: 4096, n: 64, k: 64)).contains("-DBK=64"))
        }

        /// cp.async stages say so, and the kernel learns per shape whether K allows them.
        @Test func asyncStagesSayTheirRingAndTheirShapes() throws {
            let ring = try KernelChoice(NvidiaGEMM.mmaF16, overrides: ["ASYNC": 1, "STAGES": 4, "BK": 16])
            #expect(ring.description.hasSuffix("(128x128x16 blocks (64x64 at M <= 384 up to 264 blocks, split-K up to 8 slices), "
                                               + "4 cp.async stages where K % 8 == 0, 8 warps, emulated mma)"))
            #expect(ring.buildOptions(for: KernelProblem(m: 4096, n: 64, k: 1024)).contains("-DKALIGN8=1"))
            #expect(ring.buildOptions(for: KernelProblem(m: 4096, n: 64, k: 1020)).contains("-DKALIGN8=0"))
            #expect(throws: (any Error).self) { _ = try KernelChoice(NvidiaGEMM.mmaF16, overrides: ["STAGES": 5]) }
        }

        @Test func summarySaysTheSmallMRule() {
            #expect(Self.profile.description.hasSuffix("(128x128x32 blocks (64x64 at M <= 384 up to 264 blocks, split-K up to 8 slices), 2 stages, 8 warps, mma.sync)"))
            let off = try! KernelChoice(NvidiaGEMM.mmaF16, overrides: ["SMALL_M": 0])
            #expect(off.kSlices(for: KernelProblem(m: 128, n: 1024, k: 4096)) == 1)
            #expect(off.description.hasSuffix("(128x128x32 blocks, 2 stages, 8 warps, emulated mma)"))
        }
    }
}

/// ceil(a / b), as the variants count tiles.
private func tiles(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
