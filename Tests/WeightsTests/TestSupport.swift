import BertCheckpoint
import Foundation

/// A fresh empty directory under the system's temporary folder.
func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-weights-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A synthetic checkpoint of `preset` in `directory`.
func synthetic(_ preset: String, seed: UInt64, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(preset)
    try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: preset), seed: seed, to: url)
    return url
}

/// config.json of `directory` as a JSON object.
func configJSON(_ directory: URL) throws -> [String: JSONValue] {
    let value = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: directory.appendingPathComponent("config.json")))
    guard case .object(let json) = value else { throw CheckpointError("config.json is not an object") }
    return json
}

/// Copies the checkpoint `source` to `target` with every tensor key and config.json field renamed.
func rewrite(_ source: URL, to target: URL, key rename: (String) -> String, config change: ([String: JSONValue]) -> [String: JSONValue],
             extra: (inout SafeTensorsWriter) -> Void = { _ in }) throws {
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    for name in ["vocab.txt", "tokenizer_config.json"] {
        try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
    }
    try JSONEncoder().encode(JSONValue.object(change(try configJSON(source)))).write(to: target.appendingPathComponent("config.json"))
    let file = try SafeTensorsFile(url: source.appendingPathComponent("model.safetensors"))
    var writer = SafeTensorsWriter()
    for name in file.tensorNames { writer.add(rename(name), floats: try file.floats(name), shape: try file.info(name).shape) }
    extra(&writer)
    try writer.write(to: target.appendingPathComponent("model.safetensors"))
}
