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
    /// `overrides` applied on top of the variant's defaults; invalid names or values throw. With
    /// the current variant, `overrides` hold at every row count (its regimes keep only the values
    /// they do not name), unless `regimes` replaces those (maxM to overrides on top of the rest).
    public func replacing(_ operation: KernelOperation, variant: KernelVariant? = nil, overrides: [String: Int],
                          regimes: [Int: [String: Int]]? = nil, by source: String) throws -> KernelSelection {
        let current = self[operation]
        let base = variant ?? current.variant
        let merged = variant == nil ? current.values.merging(overrides) { $1 } : overrides
        let kept = variant == nil ? current.regimeOverrides.mapValues { $0.filter { overrides[$0.key] == nil } }.filter { !$0.value.isEmpty } : [:]
        var changed = entries
        changed[operation] = Entry(choice: try KernelChoice(base, overrides: merged, regimes: regimes ?? kept), profile: source)
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
            let choice = entry.choice
            let regimes = choice.regimes.map { regime in
                KernelRecord.Regime(maxM: regime.maxM, parameters: choice.regimeOverrides[regime.maxM] ?? [:],
                                    summary: choice.variant.summary(regime.values))
            }
            return KernelRecord(operation: op.rawValue, variant: choice.variant.name,
                                parameters: Dictionary(uniqueKeysWithValues: choice.settings.map { ($0.name, $0.value) }),
                                profile: entry.profile, summary: choice.variant.summary(choice.values), regimes: regimes.isEmpty ? nil : regimes)
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
    /// Row ranges that ran other values (nil when none, and in older results).
    public let regimes: [Regime]?

    /// Parameters that differ for problems of at most `maxM` rows, and the summary of the values there.
    public struct Regime: Codable, Sendable, Equatable {
        public let maxM: Int
        public let parameters: [String: Int]
        public let summary: String?
    }

    /// A record.
    public init(operation: String, variant: String, parameters: [String: Int], profile: String, summary: String? = nil,
                regimes: [Regime]? = nil) {
        self.operation = operation
        self.variant = variant
        self.parameters = parameters
        self.profile = profile
        self.summary = summary
        self.regimes = regimes
    }

    /// "gemm: portable-gemm TM=4 TN=16" (parameters sorted by name), then the summary in brackets,
    /// then each regime's differing parameters.
    public var description: String {
        let text = (["\(operation): \(variant)"] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .joined(separator: " ")
        let own = summary.map { text + " (\($0))" } ?? text
        return ([own] + (regimes ?? []).map { regime in
            let changed = regime.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "at M <= \(regime.maxM): \(changed.isEmpty ? "the same" : changed)" + (regime.summary.map { " (\($0))" } ?? "")
        }).joined(separator: "; ")
    }
}
