/// A reason `serve` refuses to start: a bad flag, environment value or file, with its fix.
///
/// The message is printed as is and the process exits with status 1 before binding anything.
struct ServeError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
