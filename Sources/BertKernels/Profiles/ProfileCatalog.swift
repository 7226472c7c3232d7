import Foundation

/// A device profile and where it came from.
public struct SourcedProfile: Sendable {
    public let profile: DeviceProfile
    /// "profiles/default.json (built in)" or a file path: what errors and reports name.
    public let origin: String
    /// Read from the user's folder at run time (wins ties against built-in profiles).
    public let isLocal: Bool
    let choices: [KernelOperation: KernelChoice]

    /// A checked profile; throws `ProfileError` naming `origin` if it refers to anything unknown.
    public init(_ profile: DeviceProfile, origin: String, isLocal: Bool) throws {
        self.profile = profile
        self.origin = origin
        self.isLocal = isLocal
        choices = try profile.choices(origin: origin)
    }

    /// Decodes and checks one profile file's bytes.
    public init(json data: Data, origin: String, isLocal: Bool) throws {
        let profile: DeviceProfile
        do { profile = try JSONDecoder().decode(DeviceProfile.self, from: data) } catch let error as DecodingError {
            throw ProfileError(origin, Self.oneLine(error))
        }
        try self.init(profile, origin: origin, isLocal: isLocal)
    }

    private static func oneLine(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return keys.isEmpty ? "" : " at \(keys)"
        }
        switch error {
        case .dataCorrupted(let c): return "not valid JSON\(path(c))"
        case .keyNotFound(let key, let c): return "missing field '\(key.stringValue)'\(path(c))"
        case .typeMismatch(let type, let c), .valueNotFound(let type, let c): return "expected \(type)\(path(c))"
        @unknown default: return "cannot be decoded"
        }
    }
}

/// All device profiles: those in the repository's profiles/ folder (embedded at build time) and
/// the locally tuned ones in $BERTBENCH_PROFILES, else ~/.cache/bertbench/profiles/.
public struct ProfileCatalog: Sendable {
    public let profiles: [SourcedProfile]

    /// A catalog of exactly these profiles (tests, tools).
    public init(profiles: [SourcedProfile]) { self.profiles = profiles }

    /// The built-in profiles plus every *.json in the user's profile folder; a file that cannot
    /// be read or checked throws a one-line `ProfileError` naming it.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProfileCatalog {
        var profiles = try builtIn()
        let folder = localFolder(environment: environment)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".json") {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw ProfileError(url.path, "cannot be read") }
            profiles.append(try SourcedProfile(json: data, origin: url.path, isLocal: true))
        }
        return ProfileCatalog(profiles: profiles)
    }

    /// The profiles embedded from the repository's profiles/ folder.
    public static func builtIn() throws -> [SourcedProfile] {
        try EmbeddedProfiles.files.sorted { $0.key < $1.key }.map { name, text in
            try SourcedProfile(json: Data(text.utf8), origin: "profiles/\(name) (built in)", isLocal: false)
        }
    }

    /// This catalog with every profile cut down to the variants whose source lies in Kernels/portable/
    /// or Kernels/`family`/: what `--kernels portable` runs (the default profile is portable, so
    /// every operation still resolves).
    public func restricted(toFamily family: String) throws -> ProfileCatalog {
        let kept = Set(["portable", family])
        return ProfileCatalog(profiles: try profiles.map { sourced in
            var profile = sourced.profile
            profile.kernels = profile.kernels.filter { _, entry in
                let source = KernelVariantRegistry.variant(named: entry.variant)?.source ?? ""
                return kept.contains(String(source.split(separator: "/").first ?? ""))
            }
            return try SourcedProfile(profile, origin: sourced.origin, isLocal: sourced.isLocal)
        })
    }

    /// The catalog a `--kernels` value asks for: "auto" (every profile) or a family name.
    public static func forKernels(_ family: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ProfileCatalog {
        let standard = try standard(environment: environment)
        return family == "auto" ? standard : try standard.restricted(toFamily: family)
    }

    /// Where locally tuned profiles live.
    public static func localFolder(environment: [String: String]) -> URL {
        if let folder = environment["BERTBENCH_PROFILES"], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/bertbench/profiles")
    }

    /// The kernels for a device: per operation, the first matching profile that names it, local
    /// profiles before built-in ones (a user's own tuning wins over the shipped database, as in
    /// CLBlast), then the most specific, then by name. Throws if no matching profile names some operation.
    public func selection(for identity: DeviceIdentity) throws -> KernelSelection {
        let matching = profiles.filter { $0.profile.match.matches(identity) }.sorted { a, b in
            if a.isLocal != b.isLocal { return a.isLocal }
            let (sa, sb) = (a.profile.match.specificity, b.profile.match.specificity)
            if sa != sb { return sa > sb }
            return a.profile.name < b.profile.name
        }
        var entries: [KernelOperation: KernelSelection.Entry] = [:]
        for operation in KernelOperation.allCases {
            guard let source = matching.first(where: { $0.choices[operation] != nil }) else {
                throw ProfileError(matching.first?.origin ?? "catalog", "no matching profile names a variant for \(operation.rawValue)")
            }
            entries[operation] = .init(choice: source.choices[operation]!, profile: source.profile.name)
        }
        return KernelSelection(entries: entries, profiles: matching.map(\.profile.name).filter { name in
            entries.values.contains { $0.profile == name }
        })
    }
}
