import Support
import Testing

/// The study's samples (TextDataset.sample) are SeededRandom shuffles; scripts/train/data.py
/// replays them in Python to keep the study's out-of-domain items out of the distillation data.
/// The same golden is pinned in scripts/train/test_train.py: a change on either side fails one.
@Suite struct SeededShuffles {
    @Test func shuffleOrderIsTheOneTheTrainerReplays() {
        var rng = SeededRandom(seed: 20241021)
        var order = Array(0..<4200)
        order.shuffle(using: &rng)
        #expect(Array(order.prefix(10)) == [1593, 2303, 754, 3995, 3247, 2247, 309, 3304, 3427, 3436])
        var small = SeededRandom(seed: 20241021)
        var twenty = Array(0..<20)
        twenty.shuffle(using: &small)
        #expect(twenty == [7, 11, 5, 19, 16, 13, 0, 17, 6, 8, 12, 1, 14, 15, 4, 10, 3, 18, 9, 2])
    }
}
