import BertCheckpoint
import Foundation
import Testing

/// `bertbench plan --large ... --variant/--near-copy/--separately-trained ...`: one embedding unit per
/// model in stage 0, then the study in stage 1 with the roles given; the study unit reads the
/// embedding units' cache.
@Suite(.serialized) struct SweepStudyPlan {
    @Test func studyUnitsAreStagedAndCarryTheRoles() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var models: [String] = []
        for seed: UInt64 in [1, 2, 3] {
            let url = dir.appendingPathComponent("tiny-\(seed)")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: seed, to: url)
            models.append(url.path)
        }
        let plan = dir.appendingPathComponent("plan")
        let made = try bertbench(["plan", "--large", models[0], "--near-copy", models[1], "--separately-trained", models[2],
                                  "--train-items", "40", "--test-items", "30", "--ood-items", "10", "--heads", "2", "--k", "3",
                                  "--seeds", "1", "--attack-items", "0", "--out", plan.path])
        #expect(made.status == 0, "plan failed: \(made.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: plan.appendingPathComponent("plan.json"))) as! [String: Any]
        let cells = json["cells"] as! [[String: Any]], units = (json["sweep"] as! [String: Any])["units"] as! [[String: Any]]
        #expect(cells.map { $0["kind"] as! String } == ["embeddings", "embeddings", "embeddings", "divergence"])
        #expect(units.map { $0["stage"] as? Int ?? 0 } == [0, 0, 0, 1])
        let study = cells[3]["cell"] as! [String: Any]
        let roles = (study["variants"] as! [[String: Any]]).map { $0["role"] as! String }
        #expect(roles == ["int8-miniature", "separately-trained"])

        for unit in 0..<3 { #expect(try bertbench(["work", plan.path, "--unit", "\(unit)", "--quiet"]).status == 0) }
        let entries = try FileManager.default.contentsOfDirectory(atPath: plan.appendingPathComponent("embeddings").path)
        #expect(entries.count == 3 && entries.allSatisfy { $0.hasSuffix(".emb") }, "\(entries)")
        let studied = try bertbench(["work", plan.path, "--unit", "3"])
        #expect(studied.status == 0, "study unit failed: \(studied.stderr)")
        #expect(studied.stderr.components(separatedBy: "embeddings of ").count - 1 == 3, "the study recomputed embeddings: \(studied.stderr)")
    }
}
