import Foundation

/// Folders of results that BertBench writes: made new, or updated in place where only the files
/// BertBench wrote there (listed in the folder's manifest) are replaced. Nothing else in the
/// folder is touched, and nothing is ever deleted.
public enum OutputFolder {
    /// The manifest: the names of the files BertBench wrote in the folder.
    public static let manifestName = ".bertbench-manifest.json"

    /// How a folder that may already exist is written.
    public enum Mode: Sendable {
        /// The folder must not exist (an empty one is fine): it appears whole or not at all.
        case createNew
        /// The folder may exist; files BertBench wrote there (its manifest, or for folders from
        /// before manifests, the names `legacyOwnFile` accepts) are replaced, others are left
        /// alone and a name clash with one of them is an error before anything is replaced.
        case updateOwnFiles(legacyOwnFile: @Sendable (String) -> Bool)
    }

    /// Writes the files `build` puts in a staging folder into `directory` per `mode`.
    public static func write(_ directory: URL, mode: Mode, build: (URL) throws -> Void) throws {
        let name = directory.lastPathComponent
        guard !name.isEmpty, name != ".", name != "..", directory.path != "/" else {
            throw OutputError("\(directory.path): not a usable folder name for results")
        }
        let fm = FileManager.default
        try fm.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        switch mode {
        case .createNew:
            try writeDirectoryAtomically(directory) { staging in
                try build(staging)
                try writeManifest(Set(try fm.contentsOfDirectory(atPath: staging.path)), in: staging)
            }
        case .updateOwnFiles(let legacyOwnFile):
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
                return try write(directory, mode: .createNew, build: build)
            }
            guard isDirectory.boolValue else { throw OutputError("\(directory.path): exists and is not a folder") }
            try update(directory, legacyOwnFile: legacyOwnFile, build: build)
        }
    }

    private static func update(_ directory: URL, legacyOwnFile: (String) -> Bool, build: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let manifest = try readManifest(in: directory)
        let staging = directory.deletingLastPathComponent().appendingPathComponent(TemporaryFiles.name(for: directory.lastPathComponent))
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        TemporaryFiles.shared.register(staging.path)
        defer {
            try? fm.removeItem(at: staging)
            TemporaryFiles.shared.unregister(staging.path)
        }
        try build(staging)
        let produced = Set(try fm.contentsOfDirectory(atPath: staging.path))
        // Every clash is found before anything is replaced, so a refusal changes nothing.
        for file in produced.sorted() {
            let target = directory.appendingPathComponent(file).path
            guard fm.fileExists(atPath: target) else { continue }
            guard manifest?.contains(file) ?? legacyOwnFile(file) else {
                throw OutputError("\(target): exists and was not written by BertBench (refusing to replace it)")
            }
            try OutputPath.checkFileDestination(target)
        }
        for file in produced.sorted() {
            guard rename(staging.appendingPathComponent(file).path, directory.appendingPathComponent(file).path) == 0 else {
                throw OutputError("\(directory.appendingPathComponent(file).path): cannot move into place (\(String(cString: strerror(errno))))")
            }
        }
        let legacy = Set(try fm.contentsOfDirectory(atPath: directory.path).filter(legacyOwnFile))
        try writeManifest((manifest ?? legacy).union(produced), in: directory)
    }

    /// The names in `directory`'s manifest, or nil when it has none.
    public static func readManifest(in directory: URL) throws -> Set<String>? {
        let url = directory.appendingPathComponent(manifestName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let names = try? JSONDecoder().decode([String].self, from: Data(contentsOf: url)) else {
            throw OutputError("\(url.path): not a BertBench manifest (a JSON list of file names)")
        }
        return Set(names)
    }

    private static func writeManifest(_ names: Set<String>, in directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(names.subtracting([manifestName]).sorted()),
                            to: directory.appendingPathComponent(manifestName).path)
    }
}
