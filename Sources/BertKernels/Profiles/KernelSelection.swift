/// The kernels that run each operation on one device, as resolved from the device profiles:
/// what `EncoderKernels` launches, `bertbench devices` prints and results.json records.
public struct KernelSelection: Sendable {
    /// One operation's choice and the profile it came from.
    public struct Entry: Sendable {
        public let choice: KernelChoice
        public let profile: String
    }

    public let entries: [KernelOperation: Entry]
    /// The profiles that supplied at least one operation, most specific first.
    public let profiles: [String]

    /// A selection of one entry per operation.
    public init(entries: [KernelOperation: Entry], profiles: [String]) {
        precondition(KernelOperation.allCases.allSatisfy { entries[$0] != nil }, "a selection names every operation")
        self.entries = entries
        self.profiles = profiles
    }

    /// The choice for `operation`.
    public subscript(operation: KernelOperation) -> KernelChoice { entries[operation]!.choice }

    /// This selection with `operation` run by `variant` (default: its current one) and
    /// `overrides` applied on top of the variant's defaults; invalid names or values throw.
    public func replacing(_ operation: KernelOperation, variant: KernelVariant? = nil, overrides: [String: Int],
                          by source: String) throws -> KernelSelection {
        let current = self[operation]
        let base = variant ?? current.variant
        let merged = variant == nil ? current.values.merging(overrides) { $1 } : overrides
        var changed = entries
        changed[operation] = Entry(choice: try KernelChoice(base, overrides: merged), profile: source)
        return KernelSelection(entries: changed, profiles: profiles.contains(source) ? profiles : [source] + profiles)
    }

    /// "pocl-tuned over default": the profiles that supplied the choices.
    public var profileSummary: String { profiles.joined(separator: " over ") }

    /// "gemm: portable-gemm TM=4 TN=16", one per operation in declaration order.
    public var lines: [String] {
        KernelOperation.allCases.map { "\($0.rawValue): \(self[$0])" }
    }

    /// The selection as stored in results.json.
    public var records: [KernelRecord] {
        KernelOperation.allCases.map { op in
            let entry = entries[op]!
            return KernelRecord(operation: op.rawValue, variant: entry.choice.variant.name,
                                parameters: Dictionary(uniqueKeysWithValues: entry.choice.settings.map { ($0.name, $0.value) }),
                                profile: entry.profile, summary: entry.choice.variant.summary(entry.choice.values))
        }
    }
}

/// Which variant and parameters ran one operation, as results.json stores it.
public struct KernelRecord: Codable, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let variant: String
    /// Tunable parameters and fixed defines, by name.
    public let parameters: [String: Int]
    /// The device profile that chose it.
    public let profile: String
    /// The variant's summary of its values ("128x128x32 blocks, 2 stages"); nil when it has none.
    public let summary: String?

    /// A record.
    public init(operation: String, variant: String, parameters: [String: Int], profile: String, summary: String? = nil) {
        self.operation = operation
        self.variant = variant
        self.parameters = parameters
        self.profile = profile
        self.summary = summary
    }

    /// "gemm: portable-gemm TM=4 TN=16" (parameters sorted by name), then the summary in brackets.
    public var description: String {
        let text = (["\(operation): \(variant)"] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .joined(separator: " ")
        return summary.map { text + " (\($0))" } ?? text
    }
}
