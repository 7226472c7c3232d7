import BertCheckpoint
import BertCompression
import BertExperiments
import Foundation
import Testing

/// A plan's variant folder that already exists is reused only if it was made by the plan's recipe;
/// a folder made another way is refused in one line naming it, and left exactly as it was.
@Suite struct PrepareVariantReuse {
    struct NoDevice: Error {}

    @Test func aFolderMadeByAnotherRecipeIsRefusedAndKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-reuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let model = dir.appendingPathComponent("tiny")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 3, to: model)
        let source = try ModelRef.at(model)
        let target = dir.appendingPathComponent("tiny-pruned")
        // Calibrated methods would need the device; these two do not.
        let context = CellContext(quiet: true) { throw NoDevice() }
        let half = PrepareVariantCell(source: source, target: target.path, method: .pruneUnstructured(sparsity: 0.5, global: true))
        let first = try half.run(context)
        #expect(first.made)
        #expect(try half.run(context).made == false, "the same recipe is reused")

        let before = try Data(contentsOf: target.appendingPathComponent("model.safetensors"))
        let sparser = PrepareVariantCell(source: source, target: target.path, method: .pruneUnstructured(sparsity: 0.7, global: true))
        #expect {
            _ = try sparser.run(context)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix(target.path + ": already there, but its sparsity is 0.5, the plan's is 0.7")
                && message.hasSuffix("move it aside to have it made again") && !message.contains("\n")
        }
        #expect(try Data(contentsOf: target.appendingPathComponent("model.safetensors")) == before, "the folder is untouched")

        let otherSource = dir.appendingPathComponent("other")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 4, to: otherSource)
        let fromOther = PrepareVariantCell(source: try ModelRef.at(otherSource), target: target.path,
                                           method: .pruneUnstructured(sparsity: 0.5, global: true))
        #expect(throws: (any Error).self) { _ = try fromOther.run(context) }
    }
}
