import BertCheckpoint
import Foundation
import Testing

/// Every file under `folder` (relative path -> bytes), to prove a command changed nothing.
func snapshot(_ folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
        guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
        files[String(url.path.dropFirst(folder.path.count))] = try Data(contentsOf: url)
    }
    return files
}

/// Outputs never destroy what a user had: refused destinations leave every file byte-identical.
@Suite(.serialized) struct SafeOutputs {
    let dir: URL
    let model: URL
    let input: URL

    init() throws {
        let work = try WorkFolder(seed: 1)
        (dir, model, input) = (work.dir, work.model, work.input)
    }

    @Test func embedRefusesFolderDeviceAndEmptyDestinations() throws {
        let before = try snapshot(dir)
        for destination in [dir.appendingPathComponent("results").path, dir.path, "/dev/null", ""] {
            let result = try bertbench(["embed", "--model", model.path, "--input", input.path, "--output", destination, "--quiet"])
            expectOneLineError(result, mentioning: destination.isEmpty ? "empty" : destination)
            #expect(try snapshot(dir) == before, "a refused --output \(destination) changed files")
        }
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
    }

    @Test func embedReplacesARegularFileAtomically() throws {
        let output = dir.appendingPathComponent("out.jsonl")
        try "old\n".write(to: output, atomically: true, encoding: .utf8)
        let result = try bertbench(["embed", "--model", model.path, "--input", input.path, "--output", output.path, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").count == 2)
        #expect(try onlyContains(dir, ["model", "in.txt", "results", "out.jsonl"]), "temporary file left behind")
    }

    @Test func synthRefusesAnExistingFileOrFolder() throws {
        let before = try snapshot(dir)
        for target in [input.path, dir.appendingPathComponent("results").path] {
            let result = try bertbench(["synth", "--preset", "tiny", "--out", target])
            expectOneLineError(result, mentioning: target)
            #expect(try snapshot(dir) == before, "synth --out \(target) changed files")
        }
    }

    /// SIGTERM mid-write: exit 143, and the staging folder is gone; a stale temporary of a dead
    /// process is swept by the next run, a file that merely looks like one of a live process stays.
    @Test func sigtermRemovesTemporariesAndStaleOnesAreSwept() throws {
        let folder = try scratchDirectory()
        FileManager.default.createFile(atPath: folder.appendingPathComponent(".old.partial-999999").path, contents: Data("x".utf8))
        FileManager.default.createFile(atPath: folder.appendingPathComponent(".live.partial-1").path, contents: Data("x".utf8))
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent(".build/debug/bertbench")
        process.arguments = ["synth", "--preset", "bert-base", "--out", folder.appendingPathComponent("bb").path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the staging folder exists, then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !(try FileManager.default.contentsOfDirectory(atPath: folder.path)).contains(where: { $0.hasPrefix(".bb.partial-") }) {
            usleep(50_000)
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == [".live.partial-1"])
    }
}

/// `-` reads the texts from standard input (a pipe), with the same output as the file.
@Suite struct StandardInput {
    @Test func embedReadsTextsFromAPipe() throws {
        let work = try WorkFolder(seed: 6)
        let fromFile = work.dir.appendingPathComponent("file.jsonl"), fromPipe = work.dir.appendingPathComponent("pipe.jsonl")
        let direct = try bertbench(["embed", "--model", work.model.path, "--input", work.input.path, "--output", fromFile.path, "--quiet"])
        #expect(direct.status == 0)
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent(".build/debug/bertbench")
        process.arguments = ["embed", "--model", work.model.path, "--input", "-", "--output", fromPipe.path, "--quiet"]
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        try pipe.fileHandleForWriting.write(contentsOf: try Data(contentsOf: work.input))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try Data(contentsOf: fromPipe) == Data(contentsOf: fromFile))
    }
}
