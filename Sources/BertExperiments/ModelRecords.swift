import Foundation
import BertMeasure
import BertModel
import Support

/// What the report says about a loaded model: kind, how it runs, what it weighs.
enum ModelRecords {
    static func record(_ loaded: LoadedModel) throws -> ModelRecord {
        let config = loaded.checkpoint.config
        let sourceBytes: Int? = { if case .object(let c)? = config.json["compression"] { return c["source_bytes"]?.intValue }; return nil }()
        let source: String? = {
            if case .object(let c)? = config.json["compression"], case .string(let path)? = c["source"] {
                return URL(fileURLWithPath: path).lastPathComponent
            }
            return nil
        }()
        return ModelRecord(
            name: loaded.name, path: loaded.directory.standardizedFileURL.path, synthetic: config.json["synthetic"] != nil,
            compression: config.compressionMethod ?? config.quantizationMethod.map { "\($0) (external)" },
            linearMode: loaded.encoder.linearMode.rawValue, linearModeReason: loaded.modeReason,
            layers: config.layerCount, hiddenSize: config.hiddenSize,
            weightBytesStored: try fileSize(loaded.checkpoint.file.url), weightBytesDevice: loaded.encoder.weightBytes, sourceBytes: sourceBytes,
            source: source)
    }
}
