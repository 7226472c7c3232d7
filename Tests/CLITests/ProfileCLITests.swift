import Foundation
import Testing

/// `bertbench devices` shows what the device profiles choose, and a locally tuned profile in
/// $BERTBENCH_PROFILES changes it.
@Suite struct ProfileCLITests {
    @Test func localProfileChangesWhatDevicesPrints() throws {
        let empty = try scratchDirectory()
        let before = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": empty.path])
        #expect(before.status == 0, "\(before.stderr)")
        // Built-in profiles only: default, over it pocl-cpu on PoCL's CPU device (and over that a
        // shipped tuned profile on a machine that has one).
        #expect(before.stdout.contains("profile:   default") || before.stdout.contains("pocl-cpu over default"))
        #expect(before.stdout.contains("gemm: portable-gemm"))

        let folder = try tunedProfileFolder(before.stdout)
        let after = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("profile:   cli-tuned over"))
        #expect(after.stdout.contains("gemm: portable-gemm TM=2 TN=16"))
        // Operations the tuned profile leaves out keep the choice of the profiles under it.
        let layerNorm = { (text: String) in text.split(separator: "\n").first { $0.contains("layer-norm: ") } }
        #expect(layerNorm(after.stdout) != nil && layerNorm(after.stdout) == layerNorm(before.stdout))
    }

    @Test func malformedProfileIsOneLineErrorNamingTheFile() throws {
        let folder = try scratchDirectory()
        try Data("{ \"name\": \"broken\", ".utf8).write(to: folder.appendingPathComponent("broken.json"))
        let result = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        expectOneLineError(result, mentioning: "broken.json")
    }

    @Test func benchGEMMRejectsParametersTheVariantDoesNotAllow() throws {
        let devices = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": try scratchDirectory().path])
        let folder = try tunedProfileFolder(devices.stdout)  // portable-gemm, whose TM allows 1...16
        let result = try bertbench(["bench-gemm", "--m", "8", "--n", "8", "--k", "8", "--param", "TM=99"],
                                   environment: ["BERTBENCH_PROFILES": folder.path])
        expectOneLineError(result, mentioning: "TM=99 is not allowed")
    }

    /// A folder with a local profile "cli-tuned" running portable-gemm TM=2 on the first device
    /// that `devicesOutput` lists, matched by vendor and name so that it outranks every built-in
    /// profile (pocl-cpu matches PoCL's CPU by platform and name).
    func tunedProfileFolder(_ devicesOutput: String) throws -> URL {
        // "[0] pthread-skylake-avx512-AMD EPYC (default)" and "type: CPU/other, vendor AuthenticAMD".
        let lines = devicesOutput.split(separator: "\n").map(String.init)
        let first = try #require(lines.first { $0.hasPrefix("[0] ") })
        let name = String(first.dropFirst(4).components(separatedBy: " (").first!)
        let vendorLine = try #require(lines.first { $0.contains(", vendor ") })
        let vendor = String(vendorLine.components(separatedBy: ", vendor ").last!)
        let folder = try scratchDirectory()
        let profile = #"{"name": "cli-tuned", "match": {"vendor": "\#(vendor)", "device": "\#(name)"}, "#
            + #""kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TM": 2}}}}"#
        try Data(profile.utf8).write(to: folder.appendingPathComponent("tuned.json"))
        return folder
    }
}
