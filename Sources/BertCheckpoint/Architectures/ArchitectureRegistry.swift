import Foundation

/// The encoder families BertBench reads and writes. Adding a family is one file with an
/// `EncoderArchitecture` and one line in `builtIn`.
public enum ArchitectureRegistry {
    /// The families shipped with BertBench, in the order messages list them.
    static let builtIn: [any EncoderArchitecture] = [
        BertArchitecture(),
        DistilBertArchitecture(),
        MPNetArchitecture(),
    ]

    /// Every known family: the built-in ones, then those registered at run time.
    public static var all: [any EncoderArchitecture] { builtIn + registered.value }

    /// Adds a family for the rest of the process (tests register test-only families this way);
    /// a family whose name is already known replaces nothing and is ignored.
    public static func register(_ architecture: any EncoderArchitecture) {
        registered.update { list in
            if !(builtIn + list).contains(where: { $0.name == architecture.name }) { list.append(architecture) }
        }
    }

    /// The family that claims config.json's `model_type`, or nil.
    public static func architecture(modelType: String) -> (any EncoderArchitecture)? {
        all.first { $0.modelTypes.contains(modelType) }
    }

    /// The family called `name`, or nil.
    public static func architecture(named name: String) -> (any EncoderArchitecture)? {
        all.first { $0.name == name }
    }

    /// "bert, distilbert and mpnet": the known families for error messages.
    public static var namesForMessages: String {
        let names = all.map(\.name)
        guard names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    private static let registered = Locked<[any EncoderArchitecture]>([])
}

/// A value shared across threads behind a lock (the registry is read from test threads while
/// another test registers).
private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
