// libFuzzer target: the text-line reader, the TSV and JSON-lines data-set parsers and the attack's lexicon and tag files.
import BertDivergence
import Foundation
import FuzzDriver
import Support

let fuzz: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { bytes, count in
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    if let lines = try? TextLines.split(data, path: "fuzz.txt") {
        precondition(lines.allSatisfy { !$0.text.contains("\n") && !$0.text.contains("\r") })
    }
    for jsonLines in [false, true] {
        if let set = try? TextDataset.parse(data, path: "fuzz", name: "fuzz", jsonLines: jsonLines) {
            precondition(set.labels == nil || set.labels!.count == set.texts.count)
            _ = set.sample(3, seed: 1)
            _ = set.split(testShare: 0.2, seed: 1)
        }
    }
    if let lexicon = try? AttackLexicon.parse(data, path: "fuzz") {
        precondition(lexicon.entries.values.allSatisfy { $0.wordNet.isSubset(of: Set("nvar")) })
        _ = lexicon.partOfSpeechMatches(original: "a", tag: "NN", candidate: "b")
    }
    if let tags = try? PartOfSpeechTags.parse(data, path: "fuzz") {
        precondition(tags.tags.allSatisfy { $0.key.split(separator: " ", omittingEmptySubsequences: false).count == $0.value.count })
    }
    return 0
}

exit(runFuzzer(fuzz))
