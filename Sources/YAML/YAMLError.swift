/// Why a document could not be read, with the place libyaml stopped at (1-based).
public struct YAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public init(message: String, line: Int = 0, column: Int = 0) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        line > 0 ? "\(message) at line \(line), column \(column)" : message
    }
}
