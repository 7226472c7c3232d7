import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Output written beside its destination and renamed into place only when complete, so a
/// failure never leaves a half-written file under the destination's name, and nothing that is
/// not a regular file (a folder, a device, a link to one) is ever replaced.
public final class AtomicFile {
    public let destination: URL
    public let temporary: URL
    private let handle: FileHandle
    private var committed = false

    /// Opens a temporary file for `path`; refuses a destination that is not a regular file or
    /// whose folder does not exist, before any work is done.
    public init(path: String) throws {
        try OutputPath.checkFileDestination(path)
        destination = URL(fileURLWithPath: path)
        let directory = destination.deletingLastPathComponent()
        TemporaryFiles.sweepStale(in: directory)
        temporary = directory.appendingPathComponent(TemporaryFiles.name(for: destination.lastPathComponent))
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError("\(path): cannot create a file in \(directory.path) (\(String(cString: strerror(errno))))") }
        TemporaryFiles.shared.register(temporary.path)
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    public func write(_ text: String) throws { try write(Data(text.utf8)) }

    public func write(_ data: Data) throws {
        do { try handle.write(contentsOf: data) } catch {
            throw OutputError("\(destination.path): write failed (\(error.localizedDescription))")
        }
    }

    /// Flushes the finished file to disk and renames it over the destination (a regular file or
    /// nothing, checked again now).
    public func commit() throws {
        try handle.synchronize()
        try handle.close()
        try OutputPath.checkFileDestination(destination.path)
        guard rename(temporary.path, destination.path) == 0 else {
            throw OutputError("\(destination.path): cannot rename the finished output into place (\(String(cString: strerror(errno))))")
        }
        TemporaryFiles.shared.unregister(temporary.path)
        committed = true
    }

    deinit {
        if !committed {
            try? handle.close()
            unlink(temporary.path)
            TemporaryFiles.shared.unregister(temporary.path)
        }
    }
}

/// Writes `data` to `path` atomically (temporary file in the same folder, fsync, rename).
public func writeAtomically(_ data: Data, to path: String) throws {
    let file = try AtomicFile(path: path)
    try file.write(data)
    try file.commit()
}

/// Checks on destinations, made before any work so a refused output costs nothing.
public enum OutputPath {
    /// A file destination must be absent or a regular file (after following links), with an
    /// existing parent folder.
    public static func checkFileDestination(_ path: String) throws {
        guard !path.isEmpty else { throw OutputError("an output path is empty") }
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw OutputError("\(path): exists and is not a regular file (refusing to replace a folder, device or link to one)")
            }
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError("\(path): the folder \(parent) does not exist")
        }
    }
}

extension OutputPath {
    /// Refuses an output that is one of the command's inputs (after resolving links), which
    /// the rename would otherwise replace.
    public static func checkDistinct(output: String, from inputs: [String]) throws {
        let target = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
        for input in inputs where input != "-" {
            if URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path == target {
                throw OutputError("\(output): is also the input \(input) (refusing to overwrite an input)")
            }
        }
    }
}

/// The temporary files and folders this process has open, so an interrupted run can remove
/// them; their names carry the process id, so stale ones of dead processes can be recognised.
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private let lock = NSLock()
    private var paths: Set<String> = []

    /// ".NAME.partial-PID-RANDOM": hidden, unique, and traceable to its process.
    public static func name(for base: String) -> String {
        ".\(base).partial-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    public func register(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    public func unregister(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }

    /// Every path registered now (for signal handling).
    public var current: [String] { lock.lock(); defer { lock.unlock() }; return Array(paths) }
}
