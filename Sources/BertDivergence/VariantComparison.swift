import Foundation

/// One variant against the large model: its name and family, and each metric's result. In
/// divergence.json the metrics' fields sit flat in the variant's object beside `name` and
/// `sameFamily`, so the file reads as if the fields were written out here.
public struct VariantComparison: Codable, Sendable {
    public let name: String
    /// A compression of the large model (so its head can be applied unchanged).
    public let sameFamily: Bool
    /// Each metric's result, keyed by the metric's `id`; a metric missing from the file is absent.
    let results: [String: any Codable & Sendable]

    /// The keys the comparison itself writes; metrics may not use them.
    static let ownFields = ["name", "sameFamily"]

    init(name: String, sameFamily: Bool, results: [String: any Codable & Sendable]) {
        self.name = name
        self.sameFamily = sameFamily
        self.results = results
    }

    /// This variant's result of `metric`, or nil when the study (or the file) did not have it.
    public subscript<M: DivergenceMetric>(_ metric: M.Type) -> M.Result? { results[M.id] as? M.Result }

    private struct Key: CodingKey {
        let stringValue: String
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        name = try container.decode(String.self, forKey: Key("name"))
        sameFamily = try container.decode(Bool.self, forKey: Key("sameFamily"))
        let metrics = decoder.userInfo[DivergenceMetrics.userInfoKey] as? [any DivergenceMetric] ?? DivergenceMetrics.all
        var results: [String: any Codable & Sendable] = [:]
        for metric in metrics where metric.fields.contains(where: { container.contains(Key($0)) }) {
            results[type(of: metric).id] = try metric.decodeResult(from: decoder)
        }
        self.results = results
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: Key("name"))
        try container.encode(sameFamily, forKey: Key("sameFamily"))
        // Every result writes into this same object; the encoder sorts the keys, so the order of
        // the metrics does not show in the file.
        for result in results.values { try result.encode(to: encoder) }
    }
}
