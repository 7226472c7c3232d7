import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// Variants, profiles and their resolution: what the engine runs on a device is what the
    /// profiles say, and a new variant or profile needs no edit anywhere else.
    @Suite struct Profiles {
        static let builtIn = try! ProfileCatalog.builtIn()
        /// The built-in default profile alone: what these tests layer their own profiles over, so
        /// that they mean the same on every device (pocl-cpu would otherwise join on PoCL).
        static let defaults = builtIn.filter { $0.profile.name == "default" }
        static var identity: DeviceIdentity { DeviceIdentity(TestDevice.context.device) }

        func profile(_ json: String, origin: String = "test.json") throws -> SourcedProfile {
            try SourcedProfile(json: Data(json.utf8), origin: origin, isLocal: true)
        }

        @Test func testOnlyVariantNamedByTestOnlyProfileIsTheOneThatRuns() throws {
            KernelVariantRegistry.register(PortableGEMM.fp32.renamed("test-gemm-tm2", defaults: ["TM": 2]))
            let testProfile = try SourcedProfile(
                // Every match field given, so it outranks any built-in profile for this device (pocl-cpu on PoCL).
                DeviceProfile(name: "test-only", match: .init(vendor: Self.identity.vendor, device: Self.identity.name,
                                                              driver: Self.identity.driver, platform: Self.identity.platform),
                              kernels: ["gemm": .init(variant: "test-gemm-tm2")]),
                origin: "test", isLocal: true)
            let selection = try ProfileCatalog(profiles: Self.defaults + [testProfile]).selection(for: Self.identity)
            #expect(selection.profiles.first == "test-only" && selection.profiles.last == "default")
            #expect(selection.lines.first == "gemm: test-gemm-tm2 TM=2 TN=16")
            #expect(selection.entries[.layerNorm]?.profile == "default")

            let kernels = try EncoderKernels(context: TestDevice.context, selection: selection)
            var rng = SeededGenerator(seed: 3)
            let (m, n, k) = (7, 21, 9)
            let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng)
            let c = try poisoned(m * n)
            try kernels.gemm(a: try TestDevice.context.upload(a), b: try TestDevice.context.upload(b), layout: .kByN,
                             bias: nil, c: c, m: m, n: n, k: k)
            #expect(kernels.ran[.gemm]?.description == "test-gemm-tm2 TM=2 TN=16")
            #expect(kernels.ran[.layerNorm] == nil, "only launched operations are recorded")
            let expected = (0..<(m * n)).map { i in (0..<k).reduce(0.0) { $0 + Double(a[i / n * k + $1]) * Double(b[$1 * n + i % n]) } }
            #expect(maxRelativeError(try c.read(), expected) < 1e-5)
        }

        @Test func mostSpecificMatchWinsPerOperation() throws {
            let vendorOnly = try profile(#"""
                {"name": "by-vendor", "match": {"vendor": "\#(Self.identity.vendor)"},
                 "kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TM": 8}},
                             "layer-norm": {"variant": "portable-layer-norm", "parameters": {"LN_GROUP": 32}}}}
                """#)
            let vendorAndDevice = try profile(#"""
                {"name": "by-device", "match": {"vendor": "\#(Self.identity.vendor)", "device": "\#(Self.identity.name)"},
                 "kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TM": 2}}}}
                """#)
            let elsewhere = try profile(#"{"name": "other", "match": {"device": "no such device"}, "kernels": {}}"#)
            let catalog = ProfileCatalog(profiles: Self.defaults + [vendorOnly, elsewhere, vendorAndDevice])
            let selection = try catalog.selection(for: Self.identity)
            #expect(selection.profiles == ["by-device", "by-vendor", "default"])
            #expect(selection[.gemm].values == ["TM": 2])
            #expect(selection[.layerNorm].values == ["LN_GROUP": 32])
            #expect(selection.entries[.attention]?.profile == "default")
        }

        @Test func defaultProfileRunsTodaysParameters() throws {
            let selection = try ProfileCatalog(profiles: Self.defaults).selection(for: Self.identity)
            #expect(selection.profileSummary == "default")
            #expect(selection[.gemm].description == "portable-gemm TM=4 TN=16")
            #expect(selection[.gemmW8A8].description == "portable-gemm-w8a8 TM=4 TN=8")
            #expect(selection[.layerNorm].description == "portable-layer-norm LN_GROUP=64")
            #expect(selection[.quantize].description == "portable-quantize-rows QG=64")
        }

        @Test func poclCPUProfileSelectsPackedGEMMAndLanesAttentionOnPoCLCPUsOnly() throws {
            let catalog = ProfileCatalog(profiles: Self.builtIn)
            let pocl = DeviceIdentity(vendor: "AuthenticAMD", name: "pthread-skylake-avx512-AMD EPYC", driver: "3.1+debian",
                                      platform: "Portable Computing Language")
            // This project's machine has a shipped tuned profile (its GEMM panels 16 wide); another
            // PoCL CPU gets pocl-cpu's 32-wide panels.
            let tuned = try catalog.selection(for: pocl)
            #expect(tuned.profileSummary == "tuned-pthread-skylake-avx512-amd-epyc over pocl-cpu over default")
            #expect(tuned[.gemm].description == "portable-gemm-packed MR=4 VW=16 NV=1 KU=4 WG=8" && tuned[.gemm].panelWidth == 16)
            let cpu = try catalog.selection(for: DeviceIdentity(vendor: "GenuineIntel", name: "pthread-haswell-Intel Xeon",
                                                                driver: "3.1+debian", platform: "Portable Computing Language"))
            #expect(cpu.profileSummary == "pocl-cpu over default")
            #expect(cpu[.gemm].variant.name == "portable-gemm-packed" && cpu[.gemm].panelWidth == 32)
            #expect(cpu[.attention].variant.name == "portable-attention-lanes" && cpu[.attentionF16].variant.name == "portable-attention-lanes")
            #expect(cpu[.layerNorm].variant.name == "portable-layer-norm-rows")
            #expect(cpu[.gemmW8A8].variant.name == "portable-gemm-w8a8-packed" && cpu[.gemmW8A8].panelWidth == 32)
            #expect(cpu[.gemmW8].variant.name == "portable-gemm-w8-packed" && cpu[.gemmW8].panelWidth == 32)
            let gpu = try catalog.selection(for: DeviceIdentity(vendor: "NVIDIA Corporation", name: "NVIDIA H100 80GB HBM3",
                                                                driver: "580.65", platform: "NVIDIA CUDA"))
            #expect(gpu[.gemm].variant.name == "portable-gemm" && gpu[.gemm].panelWidth == nil)
            #expect(gpu[.gemmW8A8].variant.name == "portable-gemm-w8a8" && gpu[.gemmW8A8].panelWidth == nil)
            #expect(gpu[.layerNorm].variant.name == "portable-layer-norm")
        }

        @Test func parametersDeriveBothBuildOptionsAndGeometry() throws {
            let choice = try KernelChoice(PortableGEMM.fp32, overrides: ["TM": 3])
            let problem = KernelProblem(m: 10, n: 33, k: 5)
            #expect(choice.buildOptions(for: problem) == "-DTM=3 -DTN=16")
            #expect(choice.geometry("gemm_nn", for: problem) == LaunchGeometry(global: [3, 4]))
            #expect(choice.geometry("gemm_nt", for: problem) == LaunchGeometry(global: [33, 4]))
            let norm = try KernelChoice(PortableNormalization.layerNorm, overrides: ["LN_GROUP": 32])
            #expect(norm.geometry("layer_norm", for: KernelProblem(m: 5, n: 384)) == LaunchGeometry(global: [160], local: [32]))
            // The packed CPU GEMMs set their groups: WG row tiles, rows padded to whole groups.
            let packed = try KernelChoice(PortableGEMMPacked.fp32, overrides: ["MR": 4, "VW": 16, "NV": 1, "WG": 8])
            #expect(packed.geometry("gemm_packed", for: KernelProblem(m: 130, n: 40, k: 5)) == LaunchGeometry(global: [40, 3], local: [8, 1]))
            // One item per row, in groups of the largest power of two up to LN_ROWS that divides the rows.
            let rows = try KernelChoice(PortableNormalization.layerNormRows, overrides: ["LN_ROWS": 8])
            #expect([24, 12, 17].map { rows.geometry("layer_norm", for: KernelProblem(m: $0, n: 384)) }
                    == [LaunchGeometry(global: [24], local: [8]), LaunchGeometry(global: [12], local: [4]),
                        LaunchGeometry(global: [17], local: [1])])
            #expect(try KernelChoice(PortableAttention.attention).buildOptions(for: KernelProblem(m: 8, n: 2, k: 32)) == "-DHEAD_DIM=32")
        }

        /// A regime runs its own values for problems of at most its rows, the choice's own above;
        /// the first regime by rows wins; overrides given later hold at every row count.
        @Test func regimesChooseValuesByRows() throws {
            let json = #"{"name": "regimes", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TM": 4},"#
                + #" "regimes": [{"maxM": 384, "parameters": {"TM": 2}}, {"maxM": 16, "parameters": {"TM": 1}}]}}}"#
            let choice = try #require(try profile(json).profile.choices(origin: "test")[.gemm])
            #expect([1, 16, 17, 384, 385, 12288].map { choice.buildOptions(for: KernelProblem(m: $0, n: 33, k: 5)) }
                    == ["-DTM=1 -DTN=16", "-DTM=1 -DTN=16", "-DTM=2 -DTN=16", "-DTM=2 -DTN=16", "-DTM=4 -DTN=16", "-DTM=4 -DTN=16"])
            #expect(choice.geometry("gemm_nn", for: KernelProblem(m: 10, n: 33, k: 5)) == LaunchGeometry(global: [3, 10]))
            #expect(choice.description == "portable-gemm TM=4 TN=16; at M <= 16: TM=1; at M <= 384: TM=2")
            let selection = try ProfileCatalog(profiles: Self.defaults + [try profile(json)]).selection(for: Self.identity)
            let record = try #require(selection.records.first { $0.operation == "gemm" })
            #expect(record.regimes?.map(\.maxM) == [16, 384] && record.regimes?.map(\.parameters) == [["TM": 1], ["TM": 2]])
            #expect(record.description == "gemm: portable-gemm TM=4 TN=16; at M <= 16: TM=1; at M <= 384: TM=2")
            // `--param TM=3` (replacing with overrides) means TM=3 at every size.
            let forced = try selection.replacing(.gemm, overrides: ["TM": 3], by: "--param")
            #expect([1, 100, 1000].map { forced[.gemm].values(for: KernelProblem(m: $0))["TM"] } == [3, 3, 3])
            #expect(forced[.gemm].regimes.isEmpty, "regimes left with nothing of their own are dropped: \(forced[.gemm])")
            // A regime run end to end: the small problem through TM=1, the large through TM=4, both right.
            let kernels = try EncoderKernels(context: TestDevice.context, selection: selection)
            var rng = SeededGenerator(seed: 5)
            for (m, n, k) in [(9, 21, 13), (401, 19, 7)] {
                let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng)
                let c = try poisoned(m * n)
                try kernels.gemm(a: try TestDevice.context.upload(a), b: try TestDevice.context.upload(b), layout: .kByN,
                                 bias: nil, c: c, m: m, n: n, k: k)
                let expected = GEMM().reference(a: a, b: b, layout: .kByN, bias: nil, m: m, n: n, k: k, activation: .none)
                #expect(maxRelativeError(try c.read(), expected) < 1e-5, "\(m)x\(n)x\(k)")
            }
        }

        @Test func everyVariantNamesAnEmbeddedSourceWithItsEntryPoints() {
            for variant in KernelVariantRegistry.builtIn {
                let source = KernelLibrary.files[variant.source]
                #expect(source != nil, "\(variant.name): Kernels/\(variant.source) is not embedded")
                for entry in variant.entryPoints {
                    #expect(source?.contains("void \(entry)(") == true, "\(variant.name): no kernel \(entry) in \(variant.source)")
                }
            }
            #expect(Set(KernelVariantRegistry.builtIn.map(\.name)).count == KernelVariantRegistry.builtIn.count, "variant names are unique")
        }

        @Test(arguments: [
            ("{ not json", "not valid JSON"),
            (#"{"name": "x", "match": {}}"#, "missing field 'kernels'"),
            (#"{"name": "x", "match": {}, "kernels": {"gemmm": {"variant": "portable-gemm"}}}"#, "unknown operation 'gemmm'"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "fast-gemm"}}}"#, "unknown variant 'fast-gemm'"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-layer-norm"}}}"#, "implements layer-norm"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TM": 17}}}}"#, "TM=17 is not allowed"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TX": 1}}}}"#, "no parameter TX"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm", "regimes": [{"maxM": 64, "parameters": {"TM": 17}}]}}}"#,
             "TM=17 is not allowed"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm", "regimes": [{"maxM": 0, "parameters": {}}]}}}"#,
             "maxM must be at least 1"),
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm", "regimes": [{"maxM": 8, "parameters": {"TM": 2}}, {"maxM": 8, "parameters": {"TM": 4}}]}}}"#,
             "two regimes with maxM 8"),
            // Weights are packed once at load, in one width, for every row count.
            (#"{"name": "x", "match": {}, "kernels": {"gemm": {"variant": "portable-gemm-packed", "parameters": {"NV": 2}, "regimes": [{"maxM": 8, "parameters": {"NV": 1}}]}}}"#,
             "changes the width weights are packed in"),
        ])
        func malformedProfileIsOneLineNamingTheFile(json: String, fragment: String) {
            #expect {
                _ = try profile(json, origin: "/tmp/broken.json")
            } throws: { error in
                let text = String(describing: error)
                return error is ProfileError && text.hasPrefix("profile /tmp/broken.json: ") && text.contains(fragment) && !text.contains("\n")
            }
        }
    }
}
