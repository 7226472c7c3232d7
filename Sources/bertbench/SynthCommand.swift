import ArgumentParser
import BertCheckpoint
import Foundation
import Support

/// `bertbench synth`: a random-initialised checkpoint with a known model's shapes.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a random-initialised checkpoint (bert-large, bert-base, tiny, distilbert-base, distilbert-tiny shapes) for latency work.")

    @Option(help: "Shape preset: \(SyntheticCheckpoint.presets.map(\.name).joined(separator: ", ")).") var preset: String
    @Option(help: "Output directory (must not exist, or be empty).") var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Use this vocab.txt instead of a generated one (its size must match the preset).") var vocab: String?

    func run() throws {
        let chosen = try SyntheticCheckpoint.preset(named: preset)
        var vocabulary: [String]? = nil
        if let vocab {
            guard let text = try? String(contentsOfFile: vocab, encoding: .utf8) else { throw ValidationError("--vocab \(vocab): cannot read as "
                    + "UTF-8") }
            vocabulary = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if vocabulary?.last == "" { vocabulary?.removeLast() }
        }
        let started = Date()
        try SyntheticCheckpoint.write(chosen, seed: seed, to: URL(fileURLWithPath: out), vocabulary: vocabulary) { step in
            FileHandle.standardError.write(Data("synth \(chosen.name): \(step)\n".utf8))
        }
        print("wrote \(out): \(chosen.name) shapes, \(SyntheticCheckpoint.parameterCount(chosen)) random parameters (seed \(seed)) in "
                + "\(formatSeconds(Date().timeIntervalSince(started)))")
    }
}
