/// A denial: a metrics reason and the message the user sees.
struct Denial: Error, Equatable {
    let reason: String
    let message: String
}
