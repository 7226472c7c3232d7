import Foundation

/// An exclusive lock on a plan folder while it is merged, so two merges never interleave their
/// writes. flock(2) rather than a marker file: the kernel drops it when the holder dies, so a
/// killed merge never leaves the folder locked.
public final class MergeLock {
    private let descriptor: Int32

    /// Takes the lock on `folder`/.merge.lock, or throws at once when another process holds it.
    public init(folder: URL) throws {
        let path = folder.appendingPathComponent(".merge.lock").path
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ExperimentError("\(path): cannot open the merge lock (\(String(cString: strerror(errno))))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ExperimentError("\(path): another merge of this plan is running; wait for it and merge again")
        }
    }

    deinit { close(descriptor) }
}
