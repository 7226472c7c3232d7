import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// profiles/nvidia-sm80.json: the NVIDIA variants run on NVIDIA's platform at compute
    /// capability 8.0 and up, nowhere else, and `--kernels portable` (a catalog restricted to
    /// Kernels/portable/) takes them away again.
    @Suite struct NvidiaProfile {
        static let catalog = ProfileCatalog(profiles: try! ProfileCatalog.builtIn())

        /// An NVIDIA device; the H200 by default, since the H100 has a shipped tuned profile of its own.
        static func nvidia(_ capability: String?, name: String = "NVIDIA H200") -> DeviceIdentity {
            DeviceIdentity(vendor: "NVIDIA Corporation", name: name, driver: "580.65", platform: "NVIDIA CUDA",
                           computeCapability: capability.flatMap(ComputeCapability.init))
        }

        @Test func sm80AndUpRunTheNvidiaVariants() throws {
            for capability in ["8.0", "8.6", "9.0"] {
                let selection = try Self.catalog.selection(for: Self.nvidia(capability))
                #expect(selection.profileSummary == "nvidia-sm80 over default", "\(capability)")
                #expect(selection[.gemm].description
                        == "nvidia-sgemm-tiled TX=16 TY=16 RM=8 RN=8 BK=16 (128x128x16 blocks (64x64 at M <= 256), 2 stages)")
                #expect(selection[.gemmF16].description
                        == "nvidia-mma-f16 WM=2 WN=4 MI=4 NI=4 WARP_PTX=1 LDMATRIX=1 SMALL_M=384 KSPLIT=8 SPLITK_REDUCE=0 BK=32 ASYNC=0 STAGES=3 "
                        + "(128x128x32 blocks (64x64 at M <= 384 up to 264 blocks, split-K up to 8 slices), 2 stages, 8 warps, mma.sync)")
                #expect(selection[.gemmW8A8].description
                        == "nvidia-mma-w8a8 WM=2 WN=4 MI=4 NI=4 WARP_PTX=1 LDMATRIX=0 SMALL_M=384 KSPLIT=8 SPLITK_REDUCE=0 ASYNC=0 STAGES=3 BK=64 "
                        + "(128x128x64 blocks (64x64 at M <= 384 up to 264 blocks, split-K up to 8 slices), 2 stages, 8 warps, mma.sync s8)")
                #expect(selection[.gemmW8A8].panelWidth == 1, "the tensor-core W8A8 reads weights as stored, [N, K]")
                #expect(selection[.attentionF16].description
                        == "nvidia-attention-mma WARPS=4 KB=64 WARP_PTX=1 (flash, 64 queries x 64 keys per block, 4 warps, mma.sync)")
                #expect(selection[.attention].description == "portable-attention-tiled WG=64 KB=32", "an fp32 model's attention stays fp32")
                #expect(selection[.layerNorm].variant.name == "portable-layer-norm")
            }
        }

        @Test func h100GetsItsShippedTunedProfileOverSm80() throws {
            let h100 = try Self.catalog.selection(for: Self.nvidia("9.0", name: "NVIDIA H100 80GB HBM3"))
            #expect(h100.profileSummary == "tuned-nvidia-h100 over nvidia-sm80 over default")
            #expect(h100[.gemmF16].values["WM"] == 4 && h100[.gemmF16].values["WN"] == 4 && h100[.gemmF16].values["LDMATRIX"] == 1)
            #expect(h100[.gemm].values["BK"] == 8 && h100[.gemm].values["TX"] == 8)
            #expect(h100.entries[.gemmW8A8]?.profile == "nvidia-sm80", "operations it did not tune keep sm80's choice")
            // An H100 name without a reported capability gets neither NVIDIA profile.
            #expect(try Self.catalog.selection(for: Self.nvidia(nil, name: "NVIDIA H100 PCIe")).profileSummary == "default")
        }

        @Test func olderOrUnknownCapabilityAndOtherPlatformsStayPortable() throws {
            for identity in [Self.nvidia("7.5"), Self.nvidia(nil),
                             DeviceIdentity(vendor: "AMD", name: "gfx90a", driver: "3.0", platform: "AMD Accelerated Parallel Processing",
                                            computeCapability: ComputeCapability(major: 9, minor: 0))] {
                let selection = try Self.catalog.selection(for: identity)
                #expect(selection[.gemm].variant.name == "portable-gemm", "\(identity.platform) \(String(describing: identity.computeCapability))")
                #expect(selection[.gemmF16].variant.name == "portable-gemm-f16")
                #expect(!selection[.gemmW8A8].variant.name.hasPrefix("nvidia-"))
                #expect(selection[.attention].variant.name == "portable-attention")
                #expect(selection[.attentionF16].variant.name == "portable-attention")
            }
        }

        @Test func kernelsPortableRestrictsTheCatalogToPortableSources() throws {
            let selection = try Self.catalog.restricted(toFamily: "portable").selection(for: Self.nvidia("9.0"))
            // nvidia-sm80 keeps its one portable choice (the GPU-shaped fp32 attention) and loses the rest.
            #expect(selection.profileSummary == "nvidia-sm80 over default")
            #expect(selection[.attention].variant.name == "portable-attention-tiled")
            #expect(selection[.gemmF16].variant.name == "portable-gemm-f16" && selection[.attentionF16].variant.name == "portable-attention")
            for operation in KernelOperation.allCases {
                #expect(selection[operation].variant.source.hasPrefix("portable/"), "\(operation.rawValue)")
            }
        }

        @Test func capabilityFloorThatIsNotMajorMinorIsRefusedNamingTheFile() {
            let json = #"{"name": "x", "match": {"minComputeCapability": "eight"}, "kernels": {}}"#
            #expect(throws: ProfileError.self) { _ = try SourcedProfile(json: Data(json.utf8), origin: "/tmp/x.json", isLocal: true) }
            #expect(ComputeCapability("9.0")! > ComputeCapability("8.6")! && ComputeCapability("8")  == nil)
        }
    }
}
