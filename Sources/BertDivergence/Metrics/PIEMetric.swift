import BertMetrics
import Foundation

/// Hooker et al.'s Pruning Identified Exemplars, here from head populations: test items where the
/// modal label of the variant's population differs from the large model's.
public struct PIEMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let pies: PIESummary
    }

    /// How many PIE texts divergence.json keeps for the report.
    static let examples = 25

    public init() {}

    public var fields: [String] { ["pies"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let labels = context.testLabels
        let pie = PrunedIdentifiedExemplars.analyse(reference: context.large.population, variant: context.runs[variant].population,
                                                    labels: labels)
        let examples = pie.indices.prefix(Self.examples).map {
            PIEExample(text: context.test.texts[$0], label: labels[$0], largeModal: pie.referenceModal[$0], variantModal: pie.variantModal[$0])
        }
        return Result(pies: PIESummary(count: pie.count, share: pie.share, largeAccuracyOnPIEs: pie.accuracy?.referenceOnPIEs,
                                       variantAccuracyOnPIEs: pie.accuracy?.variantOnPIEs, largeAccuracyOnOthers: pie.accuracy?.referenceOnOthers,
                                       variantAccuracyOnOthers: pie.accuracy?.variantOnOthers, examples: examples))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        func column(_ header: String, _ cell: @escaping @Sendable (PIESummary) -> String) -> ReportColumn {
            ReportColumn(.pies, header) { $0[PIEMetric.self].map { cell($0.pies) } }
        }
        return [
            column("PIEs") { "\($0.count)" },
            column("share") { ReportCell.percent($0.share) },
            column("large accuracy on PIEs") { ReportCell.percent($0.largeAccuracyOnPIEs) },
            column("variant on PIEs") { ReportCell.percent($0.variantAccuracyOnPIEs) },
            column("large on others") { ReportCell.percent($0.largeAccuracyOnOthers) },
            column("variant on others") { ReportCell.percent($0.variantAccuracyOnOthers) },
        ]
    }

    /// The PIE texts of each variant, folded, after the plots.
    public func details(in results: DivergenceResults) -> String {
        var md = ""
        for v in results.variants {
            guard let p = v[PIEMetric.self]?.pies, !p.examples.isEmpty else { continue }
            md += "\n<details><summary>PIEs of \(v.name) (\(p.count); first \(p.examples.count))</summary>\n\n"
            md += "| label | large | variant | text |\n| ---: | ---: | ---: | --- |\n"
            for e in p.examples {
                md += "| \(e.label) | \(e.largeModal) | \(e.variantModal) | \(e.text.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
            md += "\n</details>\n"
        }
        return md
    }
}
