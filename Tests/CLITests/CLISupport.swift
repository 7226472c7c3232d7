import BertCheckpoint
import Foundation
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// What one run of the bertbench binary did.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the debug build of bertbench (built by `swift build`, which scripts/test runs first).
func bertbench(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
    let binary = repositoryRoot.appendingPathComponent(".build/debug/bertbench")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build bertbench first (swift build)")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                     stderr: String(decoding: stderr, as: UTF8.self))
}

/// A fresh empty directory under the system's temporary directory.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The directory holds nothing but `allowed` (no output file, no leftover partial file).
func onlyContains(_ directory: URL, _ allowed: Set<String>) throws -> Bool {
    Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)).subtracting(allowed).isEmpty
}

/// Expects the failure convention: non-zero exit and exactly one line on stderr mentioning `fragment`.
func expectOneLineError(_ result: RunResult, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 0, "exit status 0", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "stderr is not one line: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(fragment), "stderr does not mention '\(fragment)': \(result.stderr)", sourceLocation: sourceLocation)
}

/// A work folder a user might have: a tiny model, an input file of texts, and a results folder
/// holding a file of their own (which no command may touch).
struct WorkFolder {
    let dir: URL
    let model: URL
    let input: URL
    let results: URL

    init(seed: UInt64, texts: String = "a good movie\nA BAD ONE\n") throws {
        dir = try scratchDirectory()
        model = dir.appendingPathComponent("model")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: seed, to: model)
        input = dir.appendingPathComponent("in.txt")
        try texts.write(to: input, atomically: true, encoding: .utf8)
        results = dir.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try "a person's notes".write(to: results.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
    }
}
