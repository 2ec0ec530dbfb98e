/// Malformed or truncated JSON, with the byte offset where reading stopped.
struct JSONError: Error, Equatable {
    let message: String
    let offset: Int

    var description: String { "\(message) at byte \(offset)" }
}
