import Foundation

/// Builds a folder beside `directory` with `build`, then renames it into place, so a failure
/// leaves nothing under the target's name. Refuses a target that exists, unless it is an empty
/// folder; never removes anything it did not create.
public func writeDirectoryAtomically(_ directory: URL, build: (URL) throws -> Void) throws {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    let exists = fm.fileExists(atPath: directory.path, isDirectory: &isDirectory)
    if exists {
        guard isDirectory.boolValue, (try? fm.contentsOfDirectory(atPath: directory.path))?.isEmpty == true else {
            throw OutputError("\(directory.path): already exists (refusing to overwrite)")
        }
    }
    let parent = directory.deletingLastPathComponent()
    guard fm.fileExists(atPath: parent.path) else { throw OutputError("\(parent.path): no such directory") }
    TemporaryFiles.sweepStale(in: parent)
    let staging = parent.appendingPathComponent(TemporaryFiles.name(for: directory.lastPathComponent))
    try fm.createDirectory(at: staging, withIntermediateDirectories: false)
    TemporaryFiles.shared.register(staging.path)
    defer { TemporaryFiles.shared.unregister(staging.path) }
    do {
        try build(staging)
        if exists { _ = rmdir(directory.path) }  // empty, checked above; rmdir refuses anything else
        guard rename(staging.path, directory.path) == 0 else {
            throw OutputError("\(directory.path): cannot move the finished folder into place (\(String(cString: strerror(errno))))")
        }
    } catch {
        try? fm.removeItem(at: staging)
        throw error
    }
}
