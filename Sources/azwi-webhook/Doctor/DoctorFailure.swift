/// Why doctor could not run at all (exit status 2): no cluster, a malformed target, a target
/// that does not exist.
struct DoctorFailure: Error, Equatable, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
