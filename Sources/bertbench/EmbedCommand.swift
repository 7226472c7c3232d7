import ArgumentParser
import BertExperiments
import BertModel
import BertTokens
import Foundation
import Support

/// `bertbench embed`: texts in, one JSON line per text out (ids and mean-pooled embedding).
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts (one per line) with a model: JSON lines of text, token ids and the mean-pooled last hidden state.")

    @Option(help: "Model directory (config.json, model.safetensors, vocab.txt).") var model: String
    @Option(help: "Input file, one UTF-8 text per line (LF, CRLF or CR); `-` reads standard input.") var input: String
    @Option(help: "Output file (JSON lines), written atomically.") var output: String
    @Option(help: "Maximum tokens per text, [CLS] and [SEP] included.") var maxLength: Int = 128
    @Option(help: "Texts per forward pass.") var batchSize: Int = 32
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func validate() throws {
        guard maxLength >= 2 else { throw ValidationError("--max-length must be at least 2 (room for [CLS] and [SEP])") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        try OutputPath.checkDistinct(output: output, from: [input])
        let texts = try TextInput.lines(of: input)
        let out = try AtomicFile(path: output)  // fail on a bad output path before the slow work
        let directory = URL(fileURLWithPath: model)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(model): no such model directory")
        }
        let tokenizer = try WordPieceTokenizer(directory: directory)
        let loaded = try ModelLoader.load(directory, kernels: try deviceOptions.kernels())
        guard tokenizer.vocabularySize == loaded.encoder.shape.vocabSize else {
            throw InputError("\(model): vocab.txt has \(tokenizer.vocabularySize) tokens but config.json says vocab_size "
                    + "\(loaded.encoder.shape.vocabSize)")
        }
        let maxLength = min(self.maxLength, loaded.encoder.shape.maxPositions)
        let ids = texts.map { tokenizer.encode($0, maxLength: maxLength) }
        let embeddings = try embedAll(ids, encoder: loaded.encoder, padID: tokenizer.padID)
        for (i, text) in texts.enumerated() {
            try out.write("{\"text\":\(jsonString(text)),\"ids\":\(jsonArray(ids[i])),\"embedding\":\(jsonArray(embeddings[i]))}\n")
        }
        try out.commit()
        if !quiet {
            let device = loaded.encoder.context.device.name
            FileHandle.standardError.write(Data("embedded \(texts.count) texts with \(loaded.name) on \(device) -> \(output)\n".utf8))
        }
    }

    /// Mean-pooled embeddings in input order; batches group texts of similar length so little
    /// work goes to padding.
    func embedAll(_ ids: [[Int32]], encoder: BertEncoder, padID: Int32) throws -> [[Float]] {
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        var result = [[Float]](repeating: [], count: ids.count)
        let progress = ProgressLine("embedding", total: ids.count, quiet: quiet)
        let h = encoder.shape.hiddenSize
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = Array(order[start..<min(start + batchSize, order.count)])
            let batch = TokenBatch(rows: members.map { ids[$0] }, padID: padID)
            let output = try encoder.forward(batch)
            for (row, index) in members.enumerated() { result[index] = Array(EncoderOutput.row(output.meanPooled!, row, width: h)) }
            progress.update(start + members.count)
        }
        return result
    }
}
