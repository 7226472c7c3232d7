// libFuzzer target: the safetensors header reader and every tensor read on bytes it accepts.
import BertCheckpoint
import Foundation
import FuzzDriver

let fuzz: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { bytes, count in
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    guard let file = try? SafeTensorsFile(data: data, url: URL(fileURLWithPath: "fuzz.safetensors")) else { return 0 }
    for info in file.tensors.values {
        _ = try? file.floats(info.name)
        _ = try? file.int8s(info.name)
    }
    return 0
}

exit(runFuzzer(fuzz))
