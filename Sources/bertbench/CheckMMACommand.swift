import ArgumentParser
import BertMeasure
import OpenCLRuntime

/// `bertbench check-mma`: one warp-level mma step (inline PTX on NVIDIA, or the emulation) against
/// float64 on fragments packed per the PTX ISA layout, and one ldmatrix against the ISA's rule;
/// exit 1 past 1e-4 or on any differing register.
struct CheckMMACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-mma", abstract: "Check the mma.sync fragment layout and ldmatrix (PTX or emulation) against the PTX ISA.")

    @Option(help: "1: inline PTX mma.sync (NVIDIA sm_80+ only); 0: the local-memory emulation.") var ptx: Int = 0
    @Option(help: "OpenCL device: index or name fragment (see `bertbench devices`).") var device: String?

    func validate() throws {
        guard [0, 1].contains(ptx) else { throw ValidationError("--ptx must be 0 or 1") }
    }

    func run() throws {
        let chosen = try Device.choose(device)
        // Inline PTX means nothing to other compilers (PoCL's LLVM aborts the process on it).
        guard ptx == 0 || chosen.computeCapability != nil else {
            throw ValidationError("--ptx 1 needs an NVIDIA device reporting a compute capability; \(chosen.name) reports none")
        }
        let context = try ComputeContext(device: chosen)
        let error = try WarpMMACheck.run(context: context, ptx: ptx == 1)
        let passed = error < 1e-4
        print(String(format: "mma m16n8k16 WARP_PTX=%d on %@: max abs error %.2e (%@)", ptx, context.device.name, error, passed ? "ok" : "FAILED"))
        let wrong = try WarpMMACheck.ldmatrix(context: context, ptx: ptx == 1)
        print(String(format: "ldmatrix x4 WARP_PTX=%d on %@: %d of 512 registers differ from the PTX ISA's rule (%@)", ptx,
                     context.device.name, wrong, wrong == 0 ? "ok" : "FAILED"))
        if !passed { throw CheckFailure(String(format: "mma m16n8k16 WARP_PTX=%d: max abs error %.2e exceeds 1e-4", ptx, error)) }
        if wrong > 0 { throw CheckFailure(String(format: "ldmatrix x4 WARP_PTX=%d: %d registers differ", ptx, wrong)) }
    }
}
