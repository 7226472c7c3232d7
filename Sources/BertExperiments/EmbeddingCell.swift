import BertDivergence
import BertModel
import BertTokens
import Foundation

/// One model's embeddings of a study's texts, computed into the sweep's embedding cache: the
/// expensive part of a divergence study, one unit per model, so a study over many variants runs
/// on many hosts and its own unit (a later stage) only reads the cache.
public struct EmbeddingCell: CellKind {
    public static let kind = "embeddings"
    public let model: ModelRef
    public let data: DataRef
    public let outOfDomain: [DataRef]
    /// The study's settings: they choose the texts (sizes, seed) and the length limit.
    public let settings: DivergenceSettings
    public let device: String

    /// `model`'s embeddings of the texts that the study of `study` samples.
    public init(model: ModelRef, for study: DivergenceCell) {
        self.model = model
        self.data = study.data
        self.outOfDomain = study.outOfDomain
        self.settings = study.settings
        self.device = study.device
    }

    public var slug: String { "\(model.name)-seed-\(settings.splitSeed)" }

    public var inputs: [String: String] {
        ["model": model.identity, "data": data.hash, "outOfDomain": outOfDomain.map(\.hash).joined(separator: ", "),
         "settings": DivergenceCell.settingsText(settings), "device": device]
    }

    public var inputFiles: [InputFile] { [InputFile(model)] + ([data] + outOfDomain).map(InputFile.init) }

    public func run(_ context: CellContext) throws -> EmbeddingEntry {
        guard let cache = context.embeddingCache else {
            throw ExperimentError("\(model.name): an embedding unit runs in a sweep's plan folder (bertbench work), which holds the cache")
        }
        let texts = try DivergenceCell.studyTexts(data: data, outOfDomain: outOfDomain, settings: settings)
        let loaded = try context.model(model.path)
        let studied = StudyModel(model: loaded, tokenizer: try WordPieceTokenizer(directory: URL(fileURLWithPath: model.path)), sameFamily: true)
        let total = texts.train.texts.count + texts.test.texts.count + texts.outOfDomain.map(\.texts.count).reduce(0, +)
        let progress = ProgressLine("embeddings", total: total, quiet: context.quiet)
        var study = DivergenceStudy(settings: settings, train: texts.train, test: texts.test, outOfDomain: texts.outOfDomain) {
            context.say("embeddings", $0)
        }
        study.cache = cache
        let entry = try study.fillCache(studied) { name, done, _ in progress.update(done, detail: "embedding with \(name)") }
        progress.update(total)
        return entry
    }

    /// Embeddings are an input of the study unit, not a result of the run.
    public static func merge(_ output: EmbeddingEntry, into merged: inout MergedRun) {}
}
