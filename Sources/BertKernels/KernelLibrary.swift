import OpenCLRuntime

/// The OpenCL sources in Kernels/, as embedded at build time.
public enum KernelLibrary {
    /// Every kernel file by name (for example "gemm.cl").
    public static var files: [String: String] { EmbeddedKernelSources.files }

    /// The source of one kernel file, behind Kernels/common.cl (the activation codes and
    /// functions every file shares); a missing name is a programming error.
    public static func source(_ file: String) -> String {
        guard let text = EmbeddedKernelSources.files[file], let common = EmbeddedKernelSources.files["common.cl"] else {
            fatalError("Kernels/\(file) was not embedded (have: \(EmbeddedKernelSources.files.keys.sorted()))")
        }
        return common + "\n#line 1\n" + text
    }
}
