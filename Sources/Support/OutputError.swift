/// A destination BertBench refuses to write, or a write that failed: one line naming the path.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
