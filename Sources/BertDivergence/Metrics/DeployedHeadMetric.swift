import BertMetrics
import Foundation

/// The compressed model as deployed: the large model's cross-fitted probes applied to the variant's
/// embeddings (only for compressions of the large model, whose embeddings live in the same space).
public struct DeployedHeadMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let deployedAccuracy: Double?
        public let deployedAgreement: Double?
    }

    public init() {}

    public var fields: [String] { ["deployedAccuracy", "deployedAgreement"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let large = context.large, run = context.runs[variant]
        guard context.models[variant].sameFamily && run.test.pooled.columns == large.test.pooled.columns else {
            return Result(deployedAccuracy: nil, deployedAgreement: nil)
        }
        // Each fold's large-model probe on the variant's embeddings of that fold's items.
        let deployed = CrossFitting.apply(large.crossFits[0], to: run.features)
        return Result(deployedAccuracy: PredictionErrors.accuracy(predictions: deployed, labels: context.labels),
                      deployedAgreement: PredictionErrors.agreement(deployed, large.predictions))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [
            ReportColumn(.deployed, "accuracy") { $0[DeployedHeadMetric.self]?.deployedAccuracy.map(ReportCell.percent) },
            ReportColumn(.deployed, "agreement with the large model") {
                $0[DeployedHeadMetric.self]?.deployedAgreement.map(ReportCell.percent)
            },
        ]
    }
}
