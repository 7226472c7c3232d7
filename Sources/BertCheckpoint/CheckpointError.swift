/// A checkpoint that cannot be read as asked: one line saying what is wrong and where.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message.replacingOccurrences(of: "\n", with: " ") }
    public var description: String { message }
}
