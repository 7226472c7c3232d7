import OpenCLRuntime

/// The OpenCL sources below Kernels/, as embedded at build time.
public enum KernelLibrary {
    /// Every kernel file by its path below Kernels/ (for example "portable/gemm.cl").
    public static var files: [String: String] { EmbeddedKernelSources.files }

    /// The source of one kernel file behind its family's common.cl ("portable/common.cl": the
    /// activation codes and functions every file of the family shares); a missing name is a
    /// programming error.
    public static func source(_ path: String) -> String {
        guard let text = EmbeddedKernelSources.files[path] else {
            fatalError("Kernels/\(path) was not embedded (have: \(EmbeddedKernelSources.files.keys.sorted()))")
        }
        let family = path.split(separator: "/").dropLast().joined(separator: "/")
        guard let common = EmbeddedKernelSources.files[family.isEmpty ? "common.cl" : family + "/common.cl"] else { return text }
        return common + "\n#line 1\n" + text
    }
}
