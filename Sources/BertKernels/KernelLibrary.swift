import OpenCLRuntime

/// The OpenCL sources below Kernels/, as embedded at build time.
public enum KernelLibrary {
    /// Every kernel file by its path below Kernels/ (for example "portable/gemm.cl").
    public static var files: [String: String] { EmbeddedKernelSources.files }

    /// The source of one kernel file behind its family's common.cl ("portable/common.cl": the
    /// activation codes and functions every file shares; "nvidia/common.cl": the warp-level
    /// steps). Files of another family get portable/common.cl first, then their own; a missing
    /// name is a programming error.
    public static func source(_ path: String) -> String {
        guard let text = EmbeddedKernelSources.files[path] else {
            fatalError("Kernels/\(path) was not embedded (have: \(EmbeddedKernelSources.files.keys.sorted()))")
        }
        let family = path.split(separator: "/").dropLast().joined(separator: "/")
        let commons = (family == "portable" || family.isEmpty ? [] : ["portable/common.cl"])
            + [family.isEmpty ? "common.cl" : family + "/common.cl"]
        let prefix = commons.compactMap { EmbeddedKernelSources.files[$0] }
        return prefix.isEmpty ? text : prefix.joined(separator: "\n") + "\n#line 1\n" + text
    }
}
