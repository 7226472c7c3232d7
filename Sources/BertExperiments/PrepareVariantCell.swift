import BertCalibration
import BertCheckpoint
import BertCompression
import Foundation

/// Makes a compressed variant of a checkpoint (cached: an existing target is kept when its
/// config.json records the same method, settings, source and calibration sample, and refused
/// otherwise) and records its hash. Front ends run these before planning the cells that measure the variant, since
/// those cells' ids depend on the variant's hash; on a cluster they run at planning time.
public struct PrepareVariantCell: CellKind {
    public static let kind = "prepare-variant"
    public let source: ModelRef
    public let target: String
    public let method: CompressionMethod
    /// The calibration texts of a calibrated method, or nil.
    public let calibration: Calibration?

    /// A calibration file (one text per line, or a .tsv's text column), how many texts to use and
    /// the seed that samples them.
    public struct Calibration: Codable, Sendable, Equatable {
        public let path: String
        public let items: Int
        /// The sample's seed; nil is `CalibrationTexts.seed`, kept apart so that plans and ids
        /// written before seeds existed stay as they were.
        public let seed: UInt64?
        /// The file at `path`, sampled to `items` texts with `seed` (nil: the default seed).
        public init(path: String, items: Int, seed: UInt64? = nil) {
            self.path = path
            self.items = items
            self.seed = seed
        }
    }

    /// `source` compressed by `method` into the folder `target`, calibrated on `calibration` when given.
    public init(source: ModelRef, target: String, method: CompressionMethod, calibration: Calibration? = nil) {
        self.source = source
        self.target = target
        self.method = method
        self.calibration = calibration
    }

    public var slug: String { URL(fileURLWithPath: target).lastPathComponent }

    public var inputs: [String: String] {
        var inputs = ["source": source.identity, "target": URL(fileURLWithPath: target).lastPathComponent, "method": "\(method)"]
        if let calibration {
            inputs["calibration"] = "\(URL(fileURLWithPath: calibration.path).lastPathComponent):\(calibration.items)"
                + (calibration.seed.map { ":seed=\($0)" } ?? "")
        }
        return inputs
    }

    /// The variant as it now is on disk.
    public struct Output: Codable, Sendable {
        public let variant: ModelRef
        /// False when the folder was already there (made earlier by this method or copied in).
        public let made: Bool
    }

    public func run(_ context: CellContext) throws -> Output {
        let url = URL(fileURLWithPath: target)
        var made = false
        if !FileManager.default.fileExists(atPath: url.path) {
            context.say("run", "compressing \(source.name) -> \(url.lastPathComponent) (\(method.name)"
                        + (calibration?.seed.map { ", calibration seed \($0)" } ?? "") + ")")
            do {
                let sourceURL = URL(fileURLWithPath: source.path)
                let calibrationSet = try calibration.map { choice in
                    let set = try EngineCalibration(texts: try CalibrationTexts(path: choice.path, items: choice.items,
                                                                                seed: choice.seed ?? CalibrationTexts.seed),
                                                    model: sourceURL, kernels: try context.kernels())
                    return CalibrationProgress(set, layers: set.layerCount, label: url.lastPathComponent, quiet: context.quiet)
                }
                _ = try Compressor.compress(source: sourceURL, target: url, method: method, calibration: calibrationSet)
                made = true
            } catch where FileManager.default.fileExists(atPath: url.path) {
                // Another shard made it at the same time; its folder appeared whole (atomic rename).
            }
        }
        if !made { try checkRecipe(of: url) }
        return Output(variant: try ModelRef.at(url), made: made)
    }

    /// Refuses a folder that is already there but was made another way: measuring it under this
    /// plan's name would report the wrong model. The user's folder is left as it is.
    private func checkRecipe(of url: URL) throws {
        let config = try BertConfig(contentsOf: url.appendingPathComponent("config.json"))
        let choice = calibration.map {
            CompressionRecordCheck.Calibration(file: URL(fileURLWithPath: $0.path).lastPathComponent, items: $0.items,
                                               seed: $0.seed ?? CalibrationTexts.seed, unrecordedSeed: CalibrationTexts.seed)
        }
        if let difference = try CompressionRecordCheck.difference(config: config, method: method, sourceHash: source.hash,
                                                                  calibration: choice) {
            throw ExperimentError("\(url.path): already there, but \(difference); move it aside to have it made again")
        }
    }

    /// Variants are inputs to other cells, not rows of a report.
    public static func merge(_ output: Output, into merged: inout MergedRun) {}
}
