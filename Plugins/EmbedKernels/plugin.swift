// Build-tool plugin: turns Kernels/**/*.cl (the single source of truth for kernel code) and
// profiles/*.json (the shipped device profiles) into Swift string constants keyed by their path
// below those folders ("portable/gemm.cl", "default.json"), so that one static binary carries
// its kernels and profiles and runs from any directory.
import Foundation
import PackagePlugin

@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let tool = try context.tool(named: "embed-kernels").url
        return try [("Kernels", "cl", "EmbeddedKernelSources"), ("profiles", "json", "EmbeddedProfiles")].map { folder, ext, name in
            let base = root.appending(path: folder)
            let files = try filesBelow(base, withExtension: ext)
            let output = context.pluginWorkDirectoryURL.appending(path: name + ".swift")
            return .buildCommand(
                displayName: "Embedding \(files.count) files from \(folder)/",
                executable: tool,
                arguments: [output.path, name, base.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        }
    }

    /// Every file below `folder` (recursively) whose name ends in `.ext`, in a stable order.
    private func filesBelow(_ folder: URL, withExtension ext: String) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == ext }.sorted { $0.path < $1.path }
    }
}
