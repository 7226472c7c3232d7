import BertCheckpoint
import Foundation

/// Compares the `compression` record of a checkpoint already on disk with the one a method would
/// write, so that a cached variant made by another recipe (an older folder under a reused name, or
/// a folder copied in) is refused rather than measured as if it were the one asked for.
public enum CompressionRecordCheck {
    /// The calibration a plan asks for: the file's name, how many texts and the seed of the sample,
    /// and the seed that records written before seeds were recorded used.
    public struct Calibration: Sendable {
        public let file: String
        public let items: Int
        public let seed: UInt64
        public let unrecordedSeed: UInt64

        /// A calibration choice as the plan names it.
        public init(file: String, items: Int, seed: UInt64, unrecordedSeed: UInt64) {
            (self.file, self.items, self.seed, self.unrecordedSeed) = (file, items, seed, unrecordedSeed)
        }
    }

    /// The first difference between `config`'s record and what `method` on the checkpoint whose
    /// weights hash to `sourceHash`, calibrated on `calibration`, would record; nil when they agree.
    /// Records that keep the method's parameters are compared as today's code would write both;
    /// older ones by their numeric and boolean settings only, since their prose may be worded
    /// otherwise. The source's hash and the calibration sample are compared in both.
    public static func difference(config: BertConfig, method: CompressionMethod, sourceHash: String,
                                  calibration: Calibration?) throws -> String? {
        guard case .object(let stored)? = config.json["compression"] else {
            return "its config.json has no compression record (not made by bertbench compress)"
        }
        let storedMethod = stored["method"]?.stringValue ?? "?"
        guard storedMethod == method.name else { return "it was made by \(storedMethod), not \(method.name)" }
        if let hash = stored["source_hash"]?.stringValue, hash != sourceHash {
            return "it was made from weights hashing to \(hash), not the source's \(sourceHash)"
        }
        let technique = try CompressionRegistry.technique(named: method.name)
        let expected = try technique.record(Parameters(method: method.name, values: method.parameters))
        if case .object(let parameters)? = stored["parameters"] {
            // Both records from today's code: defaults resolve alike and the prose is the same.
            guard let recorded = try? technique.record(Parameters(method: method.name, values: parameters)) else {
                return "its recorded parameters are not ones \(method.name) takes"
            }
            if let key = expected.keys.sorted().first(where: { expected[$0] != recorded[$0] }) {
                return "its \(key) is \(recorded[key].map { "\($0)" } ?? "missing"), the plan's is \(expected[key]!)"
            }
        } else {
            // Records from before the parameters were kept: their settings, not their wording.
            for key in expected.keys.sorted() {
                guard let want = expected[key], want.isSetting else { continue }
                guard let have = stored[key], have == want else {
                    return "its \(key) is \(stored[key].map { "\($0)" } ?? "missing"), the plan's is \(want)"
                }
            }
        }
        return calibrationDifference(stored: stored["calibration"], calibration: calibration)
    }

    private static func calibrationDifference(stored: JSONValue?, calibration: Calibration?) -> String? {
        guard case .object(let record)? = stored else {
            return calibration == nil ? nil : "it was made without a calibration set, the plan calibrates on \(calibration!.file)"
        }
        guard let calibration else { return "it was calibrated on \(record["file"]?.stringValue ?? "?"), the plan has no calibration set" }
        let file = record["file"]?.stringValue ?? "?"
        guard file == calibration.file else { return "it was calibrated on \(file), the plan's set is \(calibration.file)" }
        // A file shorter than the count asked for gives all its texts.
        let available = record["items_in_file"]?.intValue ?? calibration.items
        let items = record["items"]?.intValue ?? -1
        guard items == min(calibration.items, available) else {
            return "it was calibrated on \(items) texts, the plan asks for \(calibration.items)"
        }
        let seed = record["seed"]?.intValue.map(UInt64.init) ?? calibration.unrecordedSeed
        guard seed == calibration.seed else { return "its calibration sample has seed \(seed), the plan's has \(calibration.seed)" }
        return nil
    }
}

private extension JSONValue {
    /// Numbers, booleans and lists of them are a technique's settings; strings in a record are descriptions.
    var isSetting: Bool {
        switch self {
        case .number, .bool: return true
        case .array(let values): return values.allSatisfy(\.isSetting)
        default: return false
        }
    }
}
