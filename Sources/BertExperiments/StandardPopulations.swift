import BertCalibration
import BertCompression
import Foundation

/// The populations of compressed models the standard plan makes for PIEs as Hooker et al. define
/// them (issue 15, item 4): several models made by one recipe that differ only in one random
/// choice, whose modal labels are compared with the large model's probes (PopulationPIEMetric).
extension StandardPlans {
    /// Compressions of the large model by one recipe that differ only in their calibration sample.
    public struct Population: Sendable {
        /// The name the study groups the members by (`StudyVariant.population`).
        public let name: String
        /// The members in order; the first may also be one of `ownVariants` (same name, same cell).
        public let members: [Variant]
    }

    /// Calibration seeds of the SparseGPT population: `CalibrationTexts.seed` (14, the seed of the
    /// standard sparsegpt-50 variant, which is member 0) and the next four. Each draws 512 of the
    /// 3,708 Amazon snippets, so two members share about 70 texts (512² / 3,708) by chance.
    public static let populationSeeds: [UInt64] = (0..<5).map { CalibrationTexts.seed + $0 }

    /// SparseGPT at 50% with `members` calibration samples of the standard set; member 0 is the
    /// standard `all-MiniLM-L6-v2-sparsegpt-50` (seed 14), the others are named by their seed.
    public static func sparseGPTPopulation(members: Int) -> Population {
        precondition((2...populationSeeds.count).contains(members), "a population has 2...\(populationSeeds.count) members")
        let standard = ownVariants.first { $0.name == "\(largeModel)-sparsegpt-50" }!
        let others = populationSeeds.dropFirst().prefix(members - 1).map { seed in
            Variant(name: "\(largeModel)-sparsegpt-50-calibration-seed-\(seed)", method: standard.method, role: standard.role,
                    calibration: CalibrationChoice(file: calibration.file, items: calibration.items, seed: seed))
        }
        return Population(name: "sparsegpt-50", members: [standard] + others)
    }

    /// The populations `run` makes, `--quick` or not: SparseGPT 50% with five members (Hooker et al.
    /// use at least five). Once made they are cached like every variant, so `--quick` pays for
    /// their compression only the first time and for their embeddings in each study.
    public static let populations: [Population] = [sparseGPTPopulation(members: populationSeeds.count)]

    /// The population members `ownVariants` does not already make, in order: what `run` adds to its
    /// prepare cells (a member that is an own variant is the same cell, made once).
    public static func extraMembers(_ populations: [Population]) -> [Variant] {
        let own = Set(ownVariants.map(\.name))
        return populations.flatMap(\.members).filter { !own.contains($0.name) }
    }

    /// The study's variants: `models` in their `roles`, then the extra population members (one-shot
    /// compressions), each model that is a member of a population carrying its name.
    public static func studyVariants(models: [ModelRef], roles: [VariantRole], extraMembers: [ModelRef],
                                     populations: [Population]) -> [StudyVariant] {
        precondition(models.count == roles.count, "one role per model")
        var populationOf: [String: String] = [:]
        for population in populations { for member in population.members { populationOf[member.name] = population.name } }
        return zip(models, roles).map { StudyVariant(model: $0, role: $1, population: populationOf[$0.name]) }
            + extraMembers.map { StudyVariant(model: $0, role: .compression, population: populationOf[$0.name]) }
    }
}
