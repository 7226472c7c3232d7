/// One tunable build-time parameter of a kernel variant: the `-D` name the kernel reads, the
/// value the engine uses unless a profile says otherwise, and the values the kernel supports.
public struct KernelParameter: Sendable {
    public let name: String
    public let defaultValue: Int
    public let allowed: [Int]
    /// What the parameter controls, for `bertbench devices` and error messages.
    public let meaning: String
    /// Whether `bertbench tune` may search it: not for values the device decides (inline PTX
    /// exists only on NVIDIA, and PoCL's compiler aborts the process on it).
    public let tunable: Bool

    /// A parameter; the default must be one of the allowed values.
    public init(_ name: String, default defaultValue: Int, allowed: [Int], meaning: String, tunable: Bool = true) {
        precondition(allowed.contains(defaultValue), "\(name): default \(defaultValue) is not allowed")
        self.name = name
        self.defaultValue = defaultValue
        self.allowed = allowed
        self.meaning = meaning
        self.tunable = tunable
    }

    /// The allowed values as a short phrase: "1...16" for a run, else the list.
    public var allowedDescription: String {
        if let first = allowed.first, let last = allowed.last, allowed == Array(first...last), allowed.count > 2 {
            return "\(first)...\(last)"
        }
        return allowed.map(String.init).joined(separator: ", ")
    }
}

/// Powers of two from `low` to `high`, for work-group sizes.
public func powersOfTwo(_ low: Int, through high: Int) -> [Int] {
    Array(sequence(first: low) { $0 * 2 }.prefix { $0 <= high })
}

/// A parameter setting that a variant does not accept: one line naming the variant and value.
public struct KernelParameterError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
