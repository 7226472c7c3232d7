import Foundation
import Testing

/// `bertbench tune` writes a local profile that `devices` then reports, never replaces a file it
/// did not write, and refuses bad shapes with one line.
@Suite(.serialized) struct TuneCLITests {
    @Test func tunedProfileIsWrittenAndRead() throws {
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["BERTBENCH_PROFILES": folder.path]
        let tuned = try bertbench(["tune", "--shape", "9x24x13", "--shape", "17x8x5", "--budget", "3", "--quiet"], environment: environment)
        #expect(tuned.status == 0, "tune failed: \(tuned.stderr)")
        #expect(tuned.stdout.contains("gemm: ") && tuned.stdout.contains("9x24x13: "), "\(tuned.stdout)")
        #expect(tuned.stdout.contains("gemm-f16: "), "every tunable operation is tuned by default: \(tuned.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1 && files[0].hasPrefix("tuned-") && files[0].hasSuffix(".json"), "\(files)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(files[0]))) as! [String: Any]
        let gemm = (json["kernels"] as! [String: Any])["gemm"] as! [String: Any]
        #expect((json["kernels"] as! [String: Any])["gemm-f16"] != nil, "\(json)")
        let devices = try bertbench(["devices"], environment: environment)
        #expect(devices.status == 0 && devices.stdout.contains("profile:   \(json["name"] as! String) over"), "\(devices.stdout)")
        #expect(devices.stdout.contains("gemm: \(gemm["variant"] as! String)"), "\(devices.stdout)")

        // Tuning again replaces the tuner's own file...
        #expect(try bertbench(["tune", "--shape", "9x24x13", "--budget", "1", "--operation", "gemm", "--quiet"], environment: environment).status == 0)
        // ...but not a file someone else wrote.
        let foreign = folder.appendingPathComponent(files[0])
        try Data("{\"name\": \"mine\", \"match\": {}, \"kernels\": {}}".utf8).write(to: foreign)
        let refused = try bertbench(["tune", "--shape", "9x24x13", "--budget", "1", "--operation", "gemm", "--quiet"], environment: environment)
        expectOneLineError(refused, mentioning: "was not written by bertbench tune")
        #expect(try String(contentsOf: foreign, encoding: .utf8).contains("\"mine\""))
    }

    @Test func badShapesAreRefused() throws {
        expectOneLineError(try bertbench(["tune", "--shape", "9x24"]), mentioning: "--shape 9x24")
        expectOneLineError(try bertbench(["tune", "--shape", "9x0x3"]), mentioning: "--shape 9x0x3")
        expectOneLineError(try bertbench(["tune", "--operation", "attention"]), mentioning: "--operation attention: not tunable")
    }
}
