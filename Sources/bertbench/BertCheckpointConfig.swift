import BertCheckpoint
import Foundation

/// Reads just what a command needs from a config.json.
enum BertCheckpointConfig {
    static func layers(_ directory: URL) throws -> Int {
        try BertConfig(contentsOf: directory.appendingPathComponent("config.json")).layerCount
    }
}
