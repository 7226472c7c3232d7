// Build-tool plugin: turns Kernels/*.cl (the single source of truth) into a Swift file of string
// constants, so that one static binary carries its kernels and runs from any directory.
import Foundation
import PackagePlugin

@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernelsDir = context.package.directoryURL.appending(path: "Kernels")
        let sources = try FileManager.default
            .contentsOfDirectory(at: kernelsDir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKernelSources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(sources.count) OpenCL kernel files",
                executable: try context.tool(named: "embed-kernels").url,
                arguments: [output.path] + sources.map(\.path),
                inputFiles: sources,
                outputFiles: [output])
        ]
    }
}
