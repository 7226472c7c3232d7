/// A variant with a value for each of its tunable parameters: what runs one operation, with other
/// values for problems of few rows where a profile gives them (`regimes`).
public struct KernelChoice: Sendable, CustomStringConvertible {
    public let variant: KernelVariant
    /// A value for every tunable parameter of `variant`: what runs a problem no regime claims.
    public let values: [String: Int]
    /// Problems of at most `maxM` rows run these values instead (the first regime, by ascending
    /// `maxM`, that holds the problem): a GEMM's best tiles at batch 1 are not its best at 12,288 rows.
    public let regimes: [Regime]

    /// One row range's values.
    public struct Regime: Sendable, Equatable {
        public let maxM: Int
        /// A value for every tunable parameter, the choice's own values with the regime's overrides on top.
        public let values: [String: Int]
    }

    /// The variant with its defaults replaced by `overrides`, each checked against the
    /// variant's parameters and allowed values; `regimes` maps a largest row count to overrides on
    /// top of those for problems of at most that many rows. A regime may not change the width
    /// weights are packed in at load time (one packing serves every problem).
    public init(_ variant: KernelVariant, overrides: [String: Int] = [:], regimes: [Int: [String: Int]] = [:]) throws {
        self.variant = variant
        values = try Self.complete(variant, overrides)
        var built: [Regime] = []
        for (maxM, regimeOverrides) in regimes.sorted(by: { $0.key < $1.key }) {
            guard maxM >= 1 else { throw KernelParameterError("\(variant.name): a regime's maxM must be at least 1, not \(maxM)") }
            let merged = try Self.complete(variant, values.merging(regimeOverrides) { $1 })
            guard variant.panelWidth(merged) == variant.panelWidth(values) else {
                throw KernelParameterError("\(variant.name): the regime M <= \(maxM) changes the width weights are packed in, "
                                           + "which one packing at load time cannot serve")
            }
            built.append(Regime(maxM: maxM, values: merged))
        }
        self.regimes = built
    }

    /// A value for every parameter of `variant`: `overrides`, each checked, over the defaults.
    private static func complete(_ variant: KernelVariant, _ overrides: [String: Int]) throws -> [String: Int] {
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = variant.parameters.first(where: { $0.name == name }) else {
                let known = variant.parameters.map(\.name)
                let has = known.isEmpty ? "none" : known.joined(separator: ", ")
                throw KernelParameterError("\(variant.name) has no parameter \(name) (it has \(has))")
            }
            guard parameter.allowed.contains(value) else {
                throw KernelParameterError("\(variant.name): \(name)=\(value) is not allowed (allowed: \(parameter.allowedDescription))")
            }
        }
        return Dictionary(uniqueKeysWithValues: variant.parameters.map { ($0.name, overrides[$0.name] ?? $0.defaultValue) })
    }

    /// Every parameter of `variant` at its default.
    public static func defaults(_ variant: KernelVariant) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: variant.parameters.map { ($0.name, $0.defaultValue) })
    }

    /// The values that run `problem`: its regime's, or the choice's own.
    public func values(for problem: KernelProblem) -> [String: Int] {
        regimes.first { problem.m <= $0.maxM }?.values ?? values
    }

    /// The overrides of each regime: its parameters whose values differ from the choice's own.
    public var regimeOverrides: [Int: [String: Int]] {
        Dictionary(uniqueKeysWithValues: regimes.map { regime in (regime.maxM, regime.values.filter { values[$0.key] != $0.value }) })
    }

    /// Tunable parameters then fixed defines, in the variant's order: what reports print.
    public var settings: [(name: String, value: Int)] {
        variant.parameters.map { ($0.name, values[$0.name]!) } + variant.fixedDefines
    }

    /// "portable-gemm TM=4 TN=16", with the variant's summary after it when it has one
    /// ("nvidia-mma-f16 WM=2 ... (128x128x32 blocks, 2 stages, 8 warps)").
    public var description: String {
        let text = ([variant.name] + settings.map { "\($0.name)=\($0.value)" }).joined(separator: " ")
        let own = variant.summary(values).map { text + " (\($0))" } ?? text
        return ([own] + regimes.map { regime in
            let changed = variant.parameters.filter { regime.values[$0.name] != values[$0.name] }
                .map { "\($0.name)=\(regime.values[$0.name]!)" }.joined(separator: " ")
            return "at M <= \(regime.maxM): \(changed.isEmpty ? "the same" : changed)" + (variant.summary(regime.values).map { " (\($0))" } ?? "")
        }).joined(separator: "; ")
    }

    /// The `-D` options to build this choice's source for `problem`.
    public func buildOptions(for problem: KernelProblem) -> String { variant.buildOptions(values(for: problem), problem: problem) }

    /// The width of the panels this choice reads packed weights in, or nil when it reads them
    /// unpacked ([K, N]): what `DeviceLinear` packs a Linear's weight for at load time.
    public var panelWidth: Int? { variant.panelWidth(values) }

    /// How many K slices this choice splits `problem` into (1: none): the launcher then runs the
    /// `_partial` and `_reduce` entries through a workspace of slices x M x N values.
    public func kSlices(for problem: KernelProblem) -> Int { variant.kSlices(problem, values: values(for: problem)) }

    /// Whether a split `problem` runs one `<entry>_splitk` launch, which sums its slices itself,
    /// rather than `_partial` and `_reduce`.
    public func reducesInKernel(for problem: KernelProblem) -> Bool { variant.reducesInKernel(values(for: problem)) }

    /// The launch sizes of `entry` for `problem`.
    public func geometry(_ entry: String, for problem: KernelProblem) -> LaunchGeometry {
        variant.geometry(entry, problem: problem, values: values(for: problem))
    }
}
