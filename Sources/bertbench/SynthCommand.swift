import ArgumentParser

/// `bertbench synth`: placeholder until the checkpoint writer lands (replaced in the next commit).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth", abstract: "Write a synthetic checkpoint.")
}
