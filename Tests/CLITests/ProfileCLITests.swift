import Foundation
import Testing

/// `bertbench devices` shows what the device profiles choose, and a locally tuned profile in
/// $BERTBENCH_PROFILES changes it.
@Suite struct ProfileCLITests {
    @Test func localProfileChangesWhatDevicesPrints() throws {
        let empty = try scratchDirectory()
        let before = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": empty.path])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("profile:   default"))
        #expect(before.stdout.contains("gemm: portable-gemm TM=4 TN=16"))
        // The first device's vendor, as `devices` prints it ("type: CPU/other, vendor AuthenticAMD").
        let vendorLine = try #require(before.stdout.split(separator: "\n").first { $0.contains(", vendor ") })
        let vendor = String(vendorLine.components(separatedBy: ", vendor ").last!)

        let folder = try scratchDirectory()
        let profile = #"{"name": "cli-tuned", "match": {"vendor": "\#(vendor)"}, "#
            + #""kernels": {"gemm": {"variant": "portable-gemm", "parameters": {"TM": 2}}}}"#
        try Data(profile.utf8).write(to: folder.appendingPathComponent("tuned.json"))
        let after = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("profile:   cli-tuned over default"))
        #expect(after.stdout.contains("gemm: portable-gemm TM=2 TN=16"))
        #expect(after.stdout.contains("layer-norm: portable-layer-norm LN_GROUP=64"))
    }

    @Test func malformedProfileIsOneLineErrorNamingTheFile() throws {
        let folder = try scratchDirectory()
        try Data("{ \"name\": \"broken\", ".utf8).write(to: folder.appendingPathComponent("broken.json"))
        let result = try bertbench(["devices"], environment: ["BERTBENCH_PROFILES": folder.path])
        expectOneLineError(result, mentioning: "broken.json")
    }

    @Test func benchGEMMRejectsParametersTheVariantDoesNotAllow() throws {
        let folder = try scratchDirectory()
        let result = try bertbench(["bench-gemm", "--m", "8", "--n", "8", "--k", "8", "--param", "TM=99"],
                                   environment: ["BERTBENCH_PROFILES": folder.path])
        expectOneLineError(result, mentioning: "TM=99 is not allowed")
    }
}
