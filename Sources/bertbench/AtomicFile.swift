import Foundation

/// Output written beside its destination and renamed into place only when complete, so a
/// failure never leaves a half-written file under the destination's name.
final class AtomicFile {
    let destination: URL
    let temporary: URL
    private let handle: FileHandle
    private var committed = false

    init(path: String) throws {
        destination = URL(fileURLWithPath: path)
        let directory = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TextInput.Failure(message: "\(path): the directory \(directory.path) does not exist")
        }
        temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary) else {
            throw TextInput.Failure(message: "\(path): cannot create a file in \(directory.path)")
        }
        self.handle = handle
    }

    func write(_ text: String) throws { try handle.write(contentsOf: Data(text.utf8)) }

    func write(_ data: Data) throws { try handle.write(contentsOf: data) }

    /// Moves the finished file into place, replacing any older one.
    func commit() throws {
        try handle.close()
        if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
        try FileManager.default.moveItem(at: temporary, to: destination)
        committed = true
    }

    deinit {
        if !committed {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}

/// Writes `data` to `path` atomically (temporary file in the same directory, then rename).
func writeAtomically(_ data: Data, to path: String) throws {
    let file = try AtomicFile(path: path)
    try file.write(data)
    try file.commit()
}
