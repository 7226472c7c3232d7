import BertMeasure
import Foundation
import Testing

@Suite struct Statistics {
    /// Nearest-rank percentile of a sorted array, the definition HdrHistogram approximates.
    func nearestRank(_ sorted: [Double], _ p: Double) -> Double {
        sorted[max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
    }

    @Test(arguments: [1, 2, 7, 100, 1001])
    func percentilesAgreeWithSortedArray(count: Int) {
        var rng = SystemRandomNumberGenerator()
        // Log-normal-ish latencies between ~0.5 and ~50 ms, with a long tail.
        let samples = (0..<count).map { _ in exp(Double.random(in: -0.7...3.9, using: &rng)) }
        let summary = LatencySummary(milliseconds: samples)
        let sorted = samples.sorted()
        for (p, value) in [(50.0, summary.p50), (90.0, summary.p90), (99.0, summary.p99)] {
            let exact = nearestRank(sorted, p)
            // HdrHistogram at 3 significant digits: same bucket as the exact value (0.1%).
            #expect(abs(value - exact) <= exact * 1e-3 + 1e-6, "p\(p) of \(count): \(value) vs \(exact)")
        }
        #expect(summary.min == sorted.first && summary.max == sorted.last)
        let mean = samples.reduce(0, +) / Double(count)
        #expect(abs(summary.mean - mean) < 1e-9)
        if count > 1 {
            let sd = (samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count - 1)).squareRoot()
            #expect(abs(summary.standardDeviation - sd) < 1e-9)
        }
    }

    @Test func flopCountMatchesAHandCountForATinyConfig() {
        // hidden 4, one layer with attention width 4 and FFN 8, batch 2, sequence 3 (t = 6 tokens):
        // QKV 2·6·4·12 = 576; scores+context 2·2·2·3·3·4 = 288; attention output 2·6·4·4 = 192;
        // FFN 2·2·6·4·8 = 768; total 1824. A head of widths (4, 2): 2·2·4·4 + 2·2·4·2 = 96.
        let count = FLOPCount(layers: [(attention: 4, intermediate: 8)], hidden: 4, head: nil)
        #expect(count.forward(batch: 2, sequenceLength: 3) == 1824)
        let withHead = FLOPCount(layers: [(attention: 4, intermediate: 8)], hidden: 4, head: (first: 4, classes: 2))
        #expect(withHead.forward(batch: 2, sequenceLength: 3) == 1824 + 96)
    }

    @Test func bertBaseIsAboutElevenGFLOPsAt128Tokens() {
        // The commonly quoted figure for BERT-base at sequence 128 is ~22 GFLOPs counting a
        // multiply-add as 2: 12 layers of 2·128·768·(4·768 + 2·3072) + attention.
        let count = FLOPCount(layers: Array(repeating: (attention: 768, intermediate: 3072), count: 12), hidden: 768, head: nil)
        let gflops = count.forward(batch: 1, sequenceLength: 128) / 1e9
        #expect(gflops > 21.5 && gflops < 22.6, "\(gflops)")
    }
}
