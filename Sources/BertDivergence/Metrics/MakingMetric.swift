import Foundation

/// How each variant was made, one-shot (quantized, pruned, refitted: no training after
/// compression) or recovered / trained (distilled), so the report's leading table compares like
/// with like. Not a measurement: it carries what the plan says about the variant into
/// divergence.json and the miniature-index table.
public struct MakingMetric: DivergenceMetric {
    /// The metric's field in divergence.json.
    public struct Result: Codable, Sendable {
        /// "one-shot", "recovered / trained", "trained separately", or nil when the plan did not say.
        public let making: String?

        private enum CodingKeys: String, CodingKey { case making }

        /// Written as null when unknown: every metric writes each field it declares.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(making, forKey: .making)
        }
    }

    public init() {}

    public var fields: [String] { ["making"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        Result(making: context.models[variant].making)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        // Studies whose plan said nothing about how variants were made get no column of dashes.
        guard results.variants.contains(where: { $0[MakingMetric.self]?.making != nil }) else { return [] }
        return [ReportColumn(MiniatureIndexMetric.table, "how made", rightAligned: false, large: "—",
                      note: "How made: one-shot variants saw no training after compression; recovered / trained ones were distilled "
                          + "from the large model; compare each with its own kind.") {
            $0[MakingMetric.self]?.making
        }]
    }
}
