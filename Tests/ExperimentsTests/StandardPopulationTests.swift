import BertCompression
import BertDivergence
import BertExperiments
import Foundation
import Testing

/// The standard plan's population of compressed models (PIEs as Hooker et al. define them): at
/// least five SparseGPT-50 members that differ only in the seed of
/// their calibration sample, made by prepare cells of their own, and listed in the study cell
/// with their population's name.
@Suite struct StandardPopulation {
    let data = URL(fileURLWithPath: "/assets/data"), folder = URL(fileURLWithPath: "/assets/variants")
    let l6 = ModelRef(name: StandardPlans.largeModel, path: "/assets/models/\(StandardPlans.largeModel)", hash: "fnv1a64:0123456789abcdef")

    /// A made-up reference to the variant called `name` (the study cell only hashes names and hashes).
    func ref(_ name: String) -> ModelRef { ModelRef(name: name, path: "/assets/variants/\(name)", hash: "fnv1a64:\(name.count)") }

    @Test func membersDifferOnlyInTheirCalibrationSeed() throws {
        let populations = StandardPlans.populations
        let population = try #require(populations.first { $0.name == "sparsegpt-50" })
        #expect(population.members.count >= 5, "Hooker et al. use at least five; run and run --quick make the same")
        // Member 0 is the standard variant the run times: one cell, made once.
        let own = StandardPlans.prepareCells(StandardPlans.ownVariants, from: l6, in: folder, data: data)
        let standard = try #require(own.first { $0.slug == population.members[0].name })
        let cells = StandardPlans.prepareCells(population.members, from: l6, in: folder, data: data)
        #expect(cells[0].id == standard.id)
        #expect(cells.allSatisfy { $0.method == .sparseGPT(sparsity: 0.5) })
        #expect(Set(cells.map { $0.calibration?.path }).count == 1 && Set(cells.map { $0.calibration?.items }).count == 1)
        let seeds = cells.map { $0.calibration?.seed ?? 14 }
        #expect(Set(seeds).count == cells.count, "seeds \(seeds)")
        #expect(Set(cells.map(\.id)).count == cells.count && Set(cells.map(\.target)).count == cells.count)
        // The extra members are what run adds to its prepare cells; none repeats an own variant's cell.
        let extra = StandardPlans.prepareCells(StandardPlans.extraMembers(populations), from: l6, in: folder, data: data)
        #expect(extra.map(\.id) == Array(cells.dropFirst().map(\.id)))
        #expect(Set(extra.map(\.id)).isDisjoint(with: own.map(\.id)))
        #expect(extra.allSatisfy { $0.inputs["calibration"]?.contains(":seed=") == true })
        #expect(standard.inputs["calibration"] == "amazon_reviews.tsv:512", "the standard variants' ids stay as they were")
    }

    @Test func studyCellListsTheMembersWithTheirPopulation() throws {
        let populations = StandardPlans.populations
        let members = populations[0].members.map(\.name)
        let family = StandardPlans.ownVariants.map { ref($0.name) }
        let extra = StandardPlans.extraMembers(populations).map { ref($0.name) }
        let studied = StandardPlans.studyVariants(models: family, roles: StandardPlans.ownVariants.map(\.role), extraMembers: extra,
                                                  populations: populations)
        #expect(studied.count == family.count + members.count - 1)
        #expect(studied.filter { $0.population == "sparsegpt-50" }.map(\.model.name).sorted() == members.sorted())
        #expect(studied.filter { $0.population == nil }.count == family.count - 1)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-population-\(UUID().uuidString).tsv")
        try "text\tlabel\na\t1\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let cell = DivergenceCell(large: l6, variants: studied, data: try DataRef.at(file.path), outOfDomain: [], lexicon: nil,
                                  settings: DivergenceSettings(), device: "cpu")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(cell)) as! [String: Any]
        let listed = (json["variants"] as! [[String: Any]]).filter { $0["population"] as? String == "sparsegpt-50" }
        #expect(listed.count == members.count)
        // The population is part of what the study is: the same models without it are another cell.
        let plain = DivergenceCell(large: l6, variants: studied.map { StudyVariant(model: $0.model, role: $0.role) },
                                   data: try DataRef.at(file.path), outOfDomain: [], lexicon: nil, settings: DivergenceSettings(), device: "cpu")
        #expect(plain.id != cell.id)
    }
}
