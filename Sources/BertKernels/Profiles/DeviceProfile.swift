import Foundation
import OpenCLRuntime

/// Which kernel variant and parameters run each operation on the devices a profile matches: the
/// content of one profiles/*.json file (see docs/architecture/kernels.md for the format).
public struct DeviceProfile: Codable, Sendable {
    /// Case-insensitive substrings a device must contain; an absent field matches anything, so a
    /// profile with no fields is the default for any OpenCL device.
    public struct Match: Codable, Sendable {
        public var vendor: String?
        public var device: String?
        public var driver: String?
        public var platform: String?
        /// The lowest NVIDIA compute capability ("8.0") the device must report; a device that
        /// reports none (any non-NVIDIA device) does not match.
        public var minComputeCapability: String?

        /// A match on the given substrings (and, with `minComputeCapability`, a capability floor).
        public init(vendor: String? = nil, device: String? = nil, driver: String? = nil, platform: String? = nil,
                    minComputeCapability: String? = nil) {
            self.vendor = vendor
            self.device = device
            self.driver = driver
            self.platform = platform
            self.minComputeCapability = minComputeCapability
        }

        /// How many fields are given: the more, the more specific.
        public var specificity: Int { [vendor, device, driver, platform, minComputeCapability].compactMap { $0 }.count }

        /// Whether `identity` contains every given substring and reaches the capability floor.
        public func matches(_ identity: DeviceIdentity) -> Bool {
            func has(_ text: String, _ needle: String?) -> Bool { needle.map { text.lowercased().contains($0.lowercased()) } ?? true }
            let capable = minComputeCapability.map { floor in
                guard let have = identity.computeCapability, let need = ComputeCapability(floor) else { return false }
                return have >= need
            } ?? true
            return has(identity.vendor, vendor) && has(identity.name, device) && has(identity.driver, driver)
                && has(identity.platform, platform) && capable
        }
    }

    /// One operation's setting: a variant by name and values for some of its parameters, and
    /// other values for problems of at most so many rows.
    public struct Entry: Codable, Sendable {
        public var variant: String
        public var parameters: [String: Int]?
        /// Row ranges with their own values, on top of `parameters` ("regimes": [{"maxM": 384,
        /// "parameters": {...}}]): the first, by ascending maxM, that holds a problem's rows runs it.
        public var regimes: [Regime]?

        /// Parameters for problems of at most `maxM` rows.
        public struct Regime: Codable, Sendable {
            public var maxM: Int
            public var parameters: [String: Int]

            /// A regime.
            public init(maxM: Int, parameters: [String: Int]) {
                self.maxM = maxM
                self.parameters = parameters
            }
        }

        /// An entry; parameters left out take the variant's defaults.
        public init(variant: String, parameters: [String: Int]? = nil, regimes: [Regime]? = nil) {
            self.variant = variant
            self.parameters = parameters
            self.regimes = regimes
        }
    }

    public var name: String
    /// Why this profile exists (where its numbers were measured).
    public var about: String?
    public var match: Match
    /// Keyed by `KernelOperation` raw value ("gemm", "layer-norm"); operations left out fall
    /// through to the next matching profile, down to the default.
    public var kernels: [String: Entry]

    /// A profile.
    public init(name: String, about: String? = nil, match: Match = Match(), kernels: [String: Entry]) {
        self.name = name
        self.about = about
        self.match = match
        self.kernels = kernels
    }

    /// Each listed operation's choice, checked against the registry: unknown operations,
    /// variants, parameters and values throw, naming `origin`.
    public func choices(origin: String) throws -> [KernelOperation: KernelChoice] {
        if let floor = match.minComputeCapability, ComputeCapability(floor) == nil {
            throw ProfileError(origin, "match.minComputeCapability '\(floor)' is not MAJOR.MINOR (for example \"8.0\")")
        }
        var result: [KernelOperation: KernelChoice] = [:]
        for (key, entry) in kernels.sorted(by: { $0.key < $1.key }) {
            guard let operation = KernelOperation(rawValue: key) else {
                throw ProfileError(origin, "unknown operation '\(key)' (known: \(KernelOperation.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let variant = KernelVariantRegistry.variant(named: entry.variant) else {
                throw ProfileError(origin, "\(key): unknown variant '\(entry.variant)'")
            }
            guard variant.serves(operation) else {
                let served = ([variant.operation] + variant.alsoServes).map(\.rawValue).joined(separator: ", ")
                throw ProfileError(origin, "\(key): variant \(variant.name) implements \(served), not \(key)")
            }
            var regimes: [Int: [String: Int]] = [:]
            for regime in entry.regimes ?? [] {
                guard regimes[regime.maxM] == nil else { throw ProfileError(origin, "\(key): two regimes with maxM \(regime.maxM)") }
                regimes[regime.maxM] = regime.parameters
            }
            do {
                result[operation] = try KernelChoice(variant, overrides: entry.parameters ?? [:], regimes: regimes)
            } catch let error as KernelParameterError {
                throw ProfileError(origin, "\(key): \(error.message)")
            }
        }
        return result
    }
}

/// What a profile matches on, taken from a device (or written by hand in tests).
public struct DeviceIdentity: Sendable {
    public let vendor, name, driver, platform: String
    /// NVIDIA's compute capability, nil on other devices.
    public let computeCapability: ComputeCapability?

    /// An identity from its parts.
    public init(vendor: String, name: String, driver: String, platform: String, computeCapability: ComputeCapability? = nil) {
        self.vendor = vendor
        self.name = name
        self.driver = driver
        self.platform = platform
        self.computeCapability = computeCapability
    }

    /// The identity of an OpenCL device.
    public init(_ device: Device) {
        self.init(vendor: device.vendor, name: device.name, driver: device.driverVersion, platform: device.platformName,
                  computeCapability: device.computeCapability)
    }
}

/// A profile that cannot be used: one line naming the file and what is wrong.
public struct ProfileError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// An error about the profile read from `origin`.
    public init(_ origin: String, _ what: String) { message = "profile \(origin): \(what)" }
    public var description: String { message }
}
