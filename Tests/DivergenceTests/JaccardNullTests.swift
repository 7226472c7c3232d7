@testable import BertDivergence
import BertMetrics
import Support
import Testing

/// The nulls beside the study's two item-set Jaccards (JaccardNulls): out-of-domain flags with
/// Deep-kNN's bank split in halves, kNN neighbour sets against the best other near copy.
@Suite struct JaccardNullTests {
    /// `rows` points of `columns` normals around `centre` (spread `spread`).
    static func cloud(_ rows: Int, columns: Int = 8, centre: Float, spread: Float = 1, seed: UInt64) -> EmbeddingMatrix {
        var random = SeededRandom(seed: seed)
        let values = random.normals(rows * columns, standardDeviation: spread).enumerated().map { $0.offset % columns == 0 ? $0.element + centre : $0.element }
        return EmbeddingMatrix(rows: rows, columns: columns, values: values)
    }

    /// The rows in a seeded random order.
    static func permuted(_ m: EmbeddingMatrix, seed: UInt64) -> EmbeddingMatrix {
        var random = SeededRandom(seed: seed)
        var order = Array(0..<m.rows)
        for i in stride(from: m.rows - 1, to: 0, by: -1) { order.swapAt(i, random.nextIndex(below: i + 1)) }
        return m.subset(order)
    }

    /// A bank, in-domain test items, and an out-of-domain set whose first half lies off the bank's cloud.
    static let bank = cloud(200, centre: 4, seed: 1), test = cloud(100, centre: 4, seed: 2)
    static let ood = cloud(50, centre: -4, seed: 3).appending(cloud(50, centre: 4, spread: 1.3, seed: 4))

    static func flags(_ bank: EmbeddingMatrix, _ ood: EmbeddingMatrix, half: Int) -> [Int] {
        JaccardNulls.flagged(bank: bank, halves: JaccardNulls.bankHalves(count: bank.rows, seed: 7), half: half,
                             test: test, outOfDomain: [ood], k: 5)[0]
    }

    @Test func bankHalvesAreDisjointBalancedAndSeeded() {
        let h = JaccardNulls.bankHalves(count: 201, seed: 7)
        #expect(Set(h) == [0, 1] && abs(h.filter { $0 == 0 }.count - h.filter { $0 == 1 }.count) <= 1)
        #expect(h == JaccardNulls.bankHalves(count: 201, seed: 7) && h != JaccardNulls.bankHalves(count: 201, seed: 8))
    }

    /// The same bank half on both sides gives 1; a variant that is the large model gives the null
    /// exactly; a model whose out-of-domain items are shuffled falls well below it.
    @Test func outOfDomainNullIsTheLargeModelAgainstItselfOnDisjointBanks() {
        let a = Self.flags(Self.bank, Self.ood, half: 0), b = Self.flags(Self.bank, Self.ood, half: 1)
        #expect(SetOverlap.jaccard(a, Self.flags(Self.bank, Self.ood, half: 0)) == 1)
        let null = SetOverlap.jaccard(a, b)
        #expect(null > 0.6 && null <= 1, "null \(null), flags \(a.count) and \(b.count)")
        let identical = SetOverlap.jaccard(a, Self.flags(Self.bank, Self.ood, half: 1))
        #expect(identical == null)
        let shuffled = SetOverlap.jaccard(a, Self.flags(Self.bank, Self.permuted(Self.ood, seed: 5), half: 1))
        #expect(shuffled < null - 0.3, "shuffled \(shuffled) against the null \(null)")
    }

    /// An identical near copy is a null of exactly 1 with a zero-width band; a model with its rows
    /// shuffled sits below the band; no near copy is its own null.
    @Test func knnNullIsTheBestOtherNearCopy() {
        let large = Self.cloud(120, centre: 0, seed: 11)
        let spaces = [large, large, large, Self.permuted(large, seed: 12)]
        let neighbours = Representations.nearestNeighbors(large, k: 5)
        func perItem(_ m: Int) -> [Double] {
            zip(neighbours, Representations.nearestNeighbors(spaces[m], k: 5)).map { SetOverlap.jaccard($0, $1) }
        }
        let null = JaccardNulls.nearCopyNull(variant: 3, nearCopies: [1, 2], perItem: perItem)!
        let band = JaccardNulls.meanInterval(null.perItem, resamples: 200)
        #expect(band.estimate == 1 && band.lower == 1 && band.upper == 1)
        let shuffled = JaccardNulls.meanInterval(perItem(3), resamples: 200)
        #expect(shuffled.upper < band.lower, "shuffled \(shuffled)")
        #expect(JaccardNulls.nearCopyNull(variant: 1, nearCopies: [1], perItem: perItem) == nil)
        #expect(JaccardNulls.nearCopyNull(variant: 1, nearCopies: [1, 3], perItem: perItem)?.index == 3)
    }
}
