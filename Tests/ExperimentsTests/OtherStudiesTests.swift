import BertDivergence
@testable import BertExperiments
import Foundation
import Testing

/// A run with a second family's study (`run --mpnet`): the second study of another large model
/// joins the merge beside the first and gets its own files and a section of report.md; a second
/// study of the same large model is refused with a note.
@Suite struct OtherStudiesTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bench-results/pthread-skylake-avx512-amd-epyc/cpu-full-3/divergence.json")

    /// The committed study with its large model renamed to `large`.
    static func study(large: String) throws -> DivergenceResults {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: committed)) as? [String: Any])
        object["large"] = large
        return try DivergenceResults.decode(try JSONSerialization.data(withJSONObject: object))
    }

    @Test func aSecondFamilyJoinsTheRunBesideTheFirst() throws {
        let first = try DivergenceResults.decode(from: Self.committed)
        let second = try Self.study(large: "all-mpnet-base-v2")
        var merged = MergedRun(plan: Plan(runID: "r", latency: nil, notes: [], cells: []))
        DivergenceCell.merge(first, into: &merged)
        DivergenceCell.merge(second, into: &merged)
        DivergenceCell.merge(try Self.study(large: "all-mpnet-base-v2"), into: &merged)
        DivergenceCell.merge(first, into: &merged)
        #expect(merged.divergence?.large == first.large && merged.otherStudies.map(\.large) == ["all-mpnet-base-v2"])
        #expect(merged.notes.count == 2 && merged.notes.allSatisfy { $0.contains("was not merged") })

        let files = try OtherStudies.files(merged.otherStudies)
        #expect(Set(files.keys) == ["divergence-all-mpnet-base-v2.json", "divergence-all-mpnet-base-v2.md"])
        let back = try DivergenceResults.decode(try #require(files["divergence-all-mpnet-base-v2.json"]))
        #expect(back.large == "all-mpnet-base-v2" && back.variants.count == first.variants.count)
        let section = OtherStudies.section(merged.otherStudies)
        #expect(section.contains("## Other families") && section.contains("### all-mpnet-base-v2 against its variants"))
        // The index table, one heading level down, with every variant's row.
        #expect(section.contains("#### Miniature index") && !section.contains("\n## Miniature index"))
        for v in second.variants { #expect(section.contains("| \(v.name) | ")) }
        #expect(OtherStudies.section([]) == "")
    }
}
