import BertCheckpoint
import BertCompression
import Foundation

/// Makes a compressed variant of a checkpoint (cached: an existing target is kept) and records
/// its hash. Front ends run these before planning the cells that measure the variant, since
/// those cells' ids depend on the variant's hash; on a cluster they run at planning time.
public struct PrepareVariantCell: CellKind {
    public static let kind = "prepare-variant"
    public let source: ModelRef
    public let target: String
    public let recipe: VariantRecipe

    /// `source` compressed by `recipe` into the folder `target`.
    public init(source: ModelRef, target: String, recipe: VariantRecipe) {
        self.source = source
        self.target = target
        self.recipe = recipe
    }

    public var slug: String { URL(fileURLWithPath: target).lastPathComponent }

    public var inputs: [String: String] {
        ["source": source.identity, "target": URL(fileURLWithPath: target).lastPathComponent, "recipe": recipe.text]
    }

    /// The variant as it now is on disk.
    public struct Output: Codable, Sendable {
        public let variant: ModelRef
        /// False when the folder was already there (made earlier by this recipe or copied in).
        public let made: Bool
    }

    public func run(_ context: CellContext) throws -> Output {
        let url = URL(fileURLWithPath: target)
        var made = false
        if !FileManager.default.fileExists(atPath: url.path) {
            context.say("run", "compressing \(source.name) -> \(url.lastPathComponent) (\(recipe.method.name))")
            do {
                _ = try Compressor.compress(source: URL(fileURLWithPath: source.path), target: url, method: recipe.method)
                made = true
            } catch where FileManager.default.fileExists(atPath: url.path) {
                // Another shard made it at the same time; its folder appeared whole (atomic rename).
            }
        }
        return Output(variant: try ModelRef.at(url), made: made)
    }

    /// Variants are inputs to other cells, not rows of a report.
    public static func merge(_ output: Output, into merged: inout MergedRun) {}
}

/// A compression method with its parameters, as plan data (BertCompression's method is not Codable).
public enum VariantRecipe: Codable, Sendable, Equatable {
    case int8, int8WeightOnly
    case pruneUnstructured(sparsity: Double, global: Bool)
    case pruneHeads(fraction: Double)
    case pruneFFN(fraction: Double)
    case dropLayers(keep: [Int])

    /// The method BertCompression runs.
    public var method: CompressionMethod {
        switch self {
        case .int8: return .int8
        case .int8WeightOnly: return .int8WeightOnly
        case .pruneUnstructured(let s, let g): return .pruneUnstructured(sparsity: s, global: g)
        case .pruneHeads(let f): return .pruneHeads(fraction: f)
        case .pruneFFN(let f): return .pruneFFN(fraction: f)
        case .dropLayers(let keep): return .dropLayers(keep: keep)
        }
    }

    /// The recipe as id text.
    var text: String { "\(self)" }
}
