import ArgumentParser

/// `bertbench embed`: placeholder until the loader lands (replaced in the next commit).
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Embed texts with a model.")
}
