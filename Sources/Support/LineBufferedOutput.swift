import Foundation

/// Makes stdout line-buffered, so that output piped to a file or a Slurm log appears line by line
/// instead of at exit. Swift 6 refuses a direct reference to C's `stdout` (a mutable global), so
/// the stream is looked up by its symbol in the default search order (RTLD_DEFAULT).
public func lineBufferStandardOutput() {
    #if os(Linux)
    let symbol = dlsym(nil, "stdout")
    #else
    let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: -2), "__stdoutp")
    #endif
    if let stream = symbol?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee { setvbuf(stream, nil, _IOLBF, 0) }
}
