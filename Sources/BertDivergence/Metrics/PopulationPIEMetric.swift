import BertMetrics
import Foundation

/// Pruning Identified Exemplars as Hooker et al. define them: items where the modal label of a
/// population of compressed models (the variants sharing a `population` name: the same method
/// with different pruning seeds, calibration sets or masks) differs from the modal label of a
/// population of large models that differ only in probe seed. Every labelled item counts (each
/// model's cross-fitted labels under every split seed); beside the count, the null: the same
/// comparison with the compressed population replaced by as many cross-fits of the large model
/// under further split seeds, the count that refitting the large model's probe gives by itself.
public struct PopulationPIEMetric: DivergenceMetric {
    /// One population's PIEs, reported on its first member's row.
    public struct PopulationPIEs: Codable, Sendable {
        public let population: String
        public let members: [String]
        /// Large-model probes in the reference population (one per split seed).
        public let largeProbes: Int
        public let count: Int
        public let share: Double
        /// The null: PIEs between the reference and `nullProbes` cross-fits of the large model under
        /// other split seeds (in files without `nullProbes`, between its half-A and half-B probes).
        public let nullCount: Int
        /// Label sets in the null's population of large models (the population's own count: members
        /// x split seeds); nil in files whose null was the half-fold one.
        public var nullProbes: Int? = nil
        /// The older, noisier null: the large model's half-A against its half-B probes (probes fitted
        /// on half of each training fold); nil in files that only have that one as `nullCount`.
        public var halfFoldNullCount: Int? = nil
        public let largeAccuracyOnPIEs: Double?
        public let populationAccuracyOnPIEs: Double?
    }

    /// The metric's field in divergence.json (absent for variants outside a population and for
    /// members after the first).
    public struct Result: Codable, Sendable {
        public let populationPIEs: PopulationPIEs?

        private enum CodingKeys: String, CodingKey { case populationPIEs }

        /// Written as null when absent: every metric writes each field it declares.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(populationPIEs, forKey: .populationPIEs)
        }
    }

    public init() {}

    public var fields: [String] { ["populationPIEs"] }

    static let table = ReportTable(
        order: 61, heading: "## Pruning Identified Exemplars over populations of compressed models (Hooker et al.)",
        intro: "Items whose modal label over a population of compressed models (variants made by one method with different "
            + "seeds, calibration sets or masks; each model's cross-fitted labels under every split seed) differs from the modal "
            + "label of the large model's probes under the same seeds. The null replaces the compressed population by as many "
            + "cross-fits of the large model under other split seeds (the same number of label sets): PIEs well above it are the "
            + "population's, not the probe's. 'half-fold null': the older null between the large model's probes fitted on disjoint "
            + "halves of each training fold (noisier probes than the count's, so too generous).")

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        guard let name = context.models[variant].population else { return Result(populationPIEs: nil) }
        let members = context.models.indices.dropFirst().filter { context.models[$0].population == name }
        guard members.first == variant, members.count >= 2 else { return Result(populationPIEs: nil) }
        let large = context.large
        let reference = large.crossFits.map(\.predictions)
        let population = members.flatMap { context.runs[$0].crossFits.map(\.predictions) }
        let report = PrunedIdentifiedExemplars.analyse(reference: reference, variant: population, labels: context.labels)
        let halfFold = PrunedIdentifiedExemplars.analyse(reference: large.halfA, variant: large.halfB).count
        // Like for like: a population of large-model label sets of the compressed population's size.
        let nullPopulation = Array(large.nullPopulation.prefix(population.count))
        let fullNull = nullPopulation.count == population.count
            ? PrunedIdentifiedExemplars.analyse(reference: reference, variant: nullPopulation).count : nil
        var pies = PopulationPIEs(
            population: name, members: members.map { context.runs[$0].name }, largeProbes: reference.count, count: report.count,
            share: report.share, nullCount: fullNull ?? halfFold, largeAccuracyOnPIEs: report.accuracy?.referenceOnPIEs,
            populationAccuracyOnPIEs: report.accuracy?.variantOnPIEs)
        if fullNull != nil { (pies.nullProbes, pies.halfFoldNullCount) = (nullPopulation.count, halfFold) }
        return Result(populationPIEs: pies)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        func column(_ header: String, _ cell: @escaping @Sendable (PopulationPIEs) -> String) -> ReportColumn {
            ReportColumn(Self.table, header) { $0[PopulationPIEMetric.self]?.populationPIEs.map(cell) }
        }
        return [
            column("population (members)") { "\($0.population) (\($0.members.count))" },
            column("PIEs") { "\($0.count)" },
            column("null PIEs") { "\($0.nullCount)" + ($0.nullProbes.map { " (\($0) large-model label sets)" } ?? " (half-fold)") },
            column("half-fold null") { $0.halfFoldNullCount.map(String.init) ?? "—" },
            column("share") { ReportCell.percent($0.share) },
            column("large accuracy on PIEs") { ReportCell.percent($0.largeAccuracyOnPIEs) },
            column("population on PIEs") { ReportCell.percent($0.populationAccuracyOnPIEs) },
        ]
    }
}
