import BertKernels
import Foundation
import OpenCLRuntime

/// The device profile `bertbench tune` writes: a `DeviceProfile` (what the catalog reads; it
/// ignores the rest) matching exactly the tuned device and driver, plus a `tuning` record of what
/// was measured, which also marks the file as the tuner's own to replace.
public struct TunedProfile: Encodable {
    public let name: String
    public let about: String
    public let match: DeviceProfile.Match
    public let kernels: [String: DeviceProfile.Entry]
    public let tuning: Record

    /// What the tuner measured, where and when.
    public struct Record: Encodable {
        public let device: String
        public let driver: String
        public let commit: String
        public let created: String
        public let results: [TuningResult]
    }

    /// The profile for `device` from the tuner's `results`.
    public init(device: Device, slug: String, results: [TuningResult], commit: String) {
        name = "tuned-\(slug)"
        let gains = results.map { String(format: "%@ %.2fx", $0.operation, $0.speedup) }.joined(separator: ", ")
        about = "Measured by `bertbench tune` on \(device.name) (\(device.platformName), driver \(device.driverVersion)) at commit "
            + "\(commit.prefix(12)): \(gains) over the built-in choice at the tuned shapes."
        match = DeviceProfile.Match(device: device.name, driver: device.driverVersion, platform: device.platformName)
        kernels = Dictionary(uniqueKeysWithValues: results.map {
            ($0.operation, DeviceProfile.Entry(variant: $0.variant, parameters: $0.parameters,
                                               regimes: $0.regimes?.map { .init(maxM: $0.maxM, parameters: $0.parameters) }))
        })
        tuning = Record(device: device.name, driver: device.driverVersion, commit: commit,
                        created: ISO8601DateFormatter().string(from: Date()), results: results)
    }

    /// The file's text: sorted, indented JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Refuses to replace a file the tuner did not write (no `tuning` record) or a non-file.
    public static func checkReplaceable(_ file: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder) else { return }
        let mine = !isFolder.boolValue && (try? JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])?["tuning"] != nil
        guard mine else {
            throw KernelParameterError("\(file.path): exists and was not written by bertbench tune; give --out another path")
        }
    }
}
