// libFuzzer target: config.json decoding and checking, and rewriting an accepted config.
import BertCheckpoint
import Foundation
import FuzzDriver

let fuzz: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { bytes, count in
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    guard case .object(let json)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return 0 }
    if let config = try? BertConfig(json: json, path: "fuzz/config.json") {
        _ = try? config.encoded(changing: ["num_hidden_layers": .number(1)])
        for layer in 0..<min(config.layerCount, 64) { _ = (config.heads(layer: layer), config.intermediate(layer: layer)) }
    }
    return 0
}

exit(runFuzzer(fuzz))
