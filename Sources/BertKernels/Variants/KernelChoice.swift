/// A variant with a value for each of its tunable parameters: what runs one operation.
public struct KernelChoice: Sendable, CustomStringConvertible {
    public let variant: KernelVariant
    /// A value for every tunable parameter of `variant`.
    public let values: [String: Int]

    /// The variant with its defaults replaced by `overrides`, each checked against the
    /// variant's parameters and allowed values.
    public init(_ variant: KernelVariant, overrides: [String: Int] = [:]) throws {
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
        self.variant = variant
        values = Dictionary(uniqueKeysWithValues: variant.parameters.map { ($0.name, overrides[$0.name] ?? $0.defaultValue) })
    }

    /// Tunable parameters then fixed defines, in the variant's order: what reports print.
    public var settings: [(name: String, value: Int)] {
        variant.parameters.map { ($0.name, values[$0.name]!) } + variant.fixedDefines
    }

    /// "portable-gemm TM=4 TN=16", with the variant's summary after it when it has one
    /// ("nvidia-mma-f16 WM=2 ... (128x128x32 blocks, 2 stages, 8 warps)").
    public var description: String {
        let text = ([variant.name] + settings.map { "\($0.name)=\($0.value)" }).joined(separator: " ")
        return variant.summary(values).map { text + " (\($0))" } ?? text
    }

    /// The `-D` options to build this choice's source for `problem`.
    public func buildOptions(for problem: KernelProblem) -> String { variant.buildOptions(values, problem: problem) }

    /// The width of the panels this choice reads packed weights in, or nil when it reads them
    /// unpacked ([K, N]): what `DeviceLinear` packs a Linear's weight for at load time.
    public var panelWidth: Int? { variant.panelWidth(values) }

    /// How many K slices this choice splits `problem` into (1: none): the launcher then runs the
    /// `_partial` and `_reduce` entries through a workspace of slices x M x N values.
    public func kSlices(for problem: KernelProblem) -> Int { variant.kSlices(problem, values: values) }

    /// The launch sizes of `entry` for `problem`.
    public func geometry(_ entry: String, for problem: KernelProblem) -> LaunchGeometry {
        variant.geometry(entry, problem: problem, values: values)
    }
}
