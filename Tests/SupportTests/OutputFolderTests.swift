import Foundation
import Support
import Testing

func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-support-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func contents(_ folder: URL) throws -> [String: String] {
    var files: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
        files[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
    return files
}

/// Results folders: made whole or not at all, updated only where BertBench wrote, never deleted.
@Suite struct OutputFolders {
    @Test func createNewRefusesAnExistingFolderAndChangesNothing() throws {
        let root = try scratchFolder(), run = root.appendingPathComponent("run")
        try OutputFolder.write(run, mode: .createNew) { try "1".write(to: $0.appendingPathComponent("report.md"), atomically: true, encoding: .utf8) }
        #expect(try contents(run)["report.md"] == "1")
        #expect(try OutputFolder.readManifest(in: run) == ["report.md"])
        let error = #expect(throws: OutputError.self) {
            try OutputFolder.write(run, mode: .createNew) { try "2".write(to: $0.appendingPathComponent("report.md"), atomically: true, encoding: .utf8) }
        }
        #expect(error?.description.contains("already exists") == true)
        #expect(try contents(run)["report.md"] == "1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["run"], "staging left behind")
    }

    @Test func updateReplacesOwnFilesKeepsOthersAndRefusesClashesFirst() throws {
        let run = try scratchFolder().appendingPathComponent("run")
        try OutputFolder.write(run, mode: .createNew) { staging in
            for name in ["report.md", "a.png"] { try "old".write(to: staging.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        }
        try "mine".write(to: run.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let update = OutputFolder.Mode.updateOwnFiles(legacyOwnFile: { _ in false })
        try OutputFolder.write(run, mode: update) { try "new".write(to: $0.appendingPathComponent("report.md"), atomically: true, encoding: .utf8) }
        #expect(try contents(run).filter { $0.key != OutputFolder.manifestName } == ["report.md": "new", "a.png": "old", "README.md": "mine"])
        // A clash with a file BertBench did not write stops everything before any replacement.
        let error = #expect(throws: OutputError.self) {
            try OutputFolder.write(run, mode: update) { staging in
                for name in ["report.md", "README.md"] { try "x".write(to: staging.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            }
        }
        #expect(error?.description.contains("README.md") == true)
        #expect(try contents(run)["report.md"] == "new" && contents(run)["README.md"] == "mine")
    }

    @Test func foldersWithoutAManifestTrustOnlyTheLegacyNames() throws {
        let run = try scratchFolder()
        for name in ["report.md", "README.md"] { try "old".write(to: run.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let update = OutputFolder.Mode.updateOwnFiles(legacyOwnFile: { $0 == "report.md" })
        try OutputFolder.write(run, mode: update) { try "new".write(to: $0.appendingPathComponent("report.md"), atomically: true, encoding: .utf8) }
        #expect(try contents(run)["report.md"] == "new" && contents(run)["README.md"] == "old")
        #expect(try OutputFolder.readManifest(in: run) == ["report.md"])
    }

    @Test func unusableNamesAreRefused() throws {
        let root = try scratchFolder()
        for bad in [root.appendingPathComponent(".."), root.appendingPathComponent("."), URL(fileURLWithPath: "/")] {
            #expect(throws: OutputError.self) { try OutputFolder.write(bad, mode: .createNew) { _ in } }
        }
    }
}
