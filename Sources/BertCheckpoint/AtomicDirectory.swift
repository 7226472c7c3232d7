import Foundation

/// Builds a directory beside `directory` with `build`, then renames it into place, so a failure
/// leaves nothing under the target's name. Refuses an existing non-empty target.
public func writeDirectoryAtomically(_ directory: URL, build: (URL) throws -> Void) throws {
    let fm = FileManager.default
    if let contents = try? fm.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
        throw CheckpointError("\(directory.path): already exists and is not empty (refusing to overwrite)")
    }
    let parent = directory.deletingLastPathComponent()
    guard fm.fileExists(atPath: parent.path) else { throw CheckpointError("\(parent.path): no such directory") }
    let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).partial-\(getpid())")
    try? fm.removeItem(at: staging)
    try fm.createDirectory(at: staging, withIntermediateDirectories: false)
    do {
        try build(staging)
        if fm.fileExists(atPath: directory.path) { try fm.removeItem(at: directory) }  // empty, checked above
        try fm.moveItem(at: staging, to: directory)
    } catch {
        try? fm.removeItem(at: staging)
        throw error
    }
}
