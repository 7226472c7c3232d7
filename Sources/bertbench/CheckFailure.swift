/// A numeric check that ran and failed: its one-line reason, printed after the command's own output.
struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
