import Foundation

/// Bytes in binary units, for people and reports: "812 B", "86.7 MiB".
public func formatBytes<T: BinaryInteger>(_ bytes: T) -> String {
    let value = Double(bytes)
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var scaled = value, unit = 0
    while scaled >= 1024, unit < units.count - 1 { scaled /= 1024; unit += 1 }
    return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", scaled, units[unit])
}

/// Seconds for people: "4.2 s", "3 min 05 s".
public func formatSeconds(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1f s", seconds) }
    return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
}

/// Bytes of a file on disk.
public func fileSize(_ url: URL) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
}
