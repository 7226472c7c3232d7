// libFuzzer target: the readers of results.json and divergence.json that `report` runs on
// folders a user may have edited.
import BertDivergence
import BertMeasure
import Foundation
import FuzzDriver

let fuzz: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { bytes, count in
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    if let results = try? LatencyResults.decode(data, path: "fuzz/results.json") { _ = try? results.encoded() }
    if let divergence = try? DivergenceResults.decode(data) { _ = try? divergence.encoded() }
    return 0
}

exit(runFuzzer(fuzz))
