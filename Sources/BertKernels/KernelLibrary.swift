import OpenCLRuntime

/// The OpenCL sources in Kernels/, as embedded at build time.
public enum KernelLibrary {
    /// Every kernel file by name (for example "gemm.cl").
    public static var files: [String: String] { EmbeddedKernelSources.files }

    /// The source of one kernel file; a missing name is a programming error.
    public static func source(_ file: String) -> String {
        guard let text = EmbeddedKernelSources.files[file] else {
            fatalError("Kernels/\(file) was not embedded (have: \(EmbeddedKernelSources.files.keys.sorted()))")
        }
        return text
    }
}
