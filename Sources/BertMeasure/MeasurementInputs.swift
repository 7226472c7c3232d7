import Support

extension SeededRandom {
    /// The generator for the random inputs of timings and kernel checks. Seeded, so a failing
    /// check repeats; and fast: the system generator costs about 400 ns a value (one getrandom
    /// call), which made a 12288x1024x4096 timing spend 20 s on its inputs and ran
    /// check-attention and `tune` past their limits on the H200.
    static var measurementInputs: SeededRandom { SeededRandom(seed: 0xBE7C_4B) }
}
