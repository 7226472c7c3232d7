import Foundation
import OpenCLRuntime

/// The OpenCL sources below Kernels/, as embedded at build time.
public enum KernelLibrary {
    /// Every kernel file by its path below Kernels/ (for example "portable/gemm.cl"): the embedded
    /// copy, where the .cl files below $BERTBENCH_KERNELS (same relative paths) replace their
    /// namesakes, so that kernels can be changed on a GPU host that has no Swift toolchain.
    public static let files: [String: String] = EmbeddedKernelSources.files.merging(overridden ?? [:]) { $1 }

    private static let overridden: [String: String]? = {
        guard let folder = ProcessInfo.processInfo.environment["BERTBENCH_KERNELS"], !folder.isEmpty else { return nil }
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return nil }
        var found: [String: String] = [:]
        for case let url as URL in walker where url.pathExtension == "cl" {
            let relative = url.standardizedFileURL.path.dropFirst(root.path.count + 1)
            if let text = try? String(contentsOf: url, encoding: .utf8) { found[String(relative)] = text }
        }
        return found.isEmpty ? nil : found
    }()

    /// The source of one kernel file behind its family's common.cl ("portable/common.cl": the
    /// activation codes and functions every file shares; "nvidia/common.cl": the warp-level
    /// steps). Files of another family get portable/common.cl first, then their own; a missing
    /// name is a programming error.
    public static func source(_ path: String) -> String {
        guard let text = files[path] else {
            fatalError("Kernels/\(path) was not embedded (have: \(files.keys.sorted()))")
        }
        let family = path.split(separator: "/").dropLast().joined(separator: "/")
        let commons = (family == "portable" || family.isEmpty ? [] : ["portable/common.cl"])
            + [family.isEmpty ? "common.cl" : family + "/common.cl"]
        let prefix = commons.compactMap { files[$0] }
        return prefix.isEmpty ? text : prefix.joined(separator: "\n") + "\n#line 1\n" + text
    }
}
