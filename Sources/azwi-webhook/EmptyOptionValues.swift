/// Makes `--name=` mean an empty value, as Go's flag package (and so upstream's chart) has it.
///
/// swift-argument-parser reads `--log-level=` as a missing value, while `--log-level ""` is an
/// empty one; upstream's chart renders `--log-level={{ .Values.logLevel }}`, which may be empty.
enum EmptyOptionValues {
    /// The arguments with every `--name=` split into `--name` and `""`.
    static func expand(_ arguments: [String]) -> [String] {
        arguments.flatMap { argument -> [String] in
            guard argument.hasPrefix("--"), argument.hasSuffix("="), argument.count > 3,
                  argument.dropLast().firstIndex(of: "=") == nil else { return [argument] }
            return [String(argument.dropLast()), ""]
        }
    }
}
