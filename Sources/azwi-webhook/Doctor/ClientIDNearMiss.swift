/// A client ID put where the webhook does not read it: a misspelt annotation key
/// (`client_id`, `clientId`, `clientID`), the right key set as a label, or set on the pod
/// instead of its ServiceAccount.
///
/// Each of these leaves `AZURE_CLIENT_ID` silently not injected, one of the questions upstream's
/// tracker sees most; doctor names the exact key and where it was found.
struct ClientIDNearMiss: Equatable, Sendable, CustomStringConvertible {
    /// Where the near miss was found.
    enum Place: String, Sendable {
        case serviceAccountAnnotation = "ServiceAccount annotation"
        case serviceAccountLabel = "ServiceAccount label"
        case podAnnotation = "pod annotation"
        case podLabel = "pod label"
    }

    let place: Place
    let key: String
    let value: String

    var description: String { "\(place.rawValue) \(key)=\(value)" }

    /// The key the webhook reads, on the ServiceAccount's annotations.
    static let expectedKey = "azure.workload.identity/client-id"

    /// Every near miss among the ServiceAccount's and the pod's annotations and labels, in that order
    /// (keys sorted within each place).
    static func find(
        serviceAccountAnnotations: [String: String], serviceAccountLabels: [String: String],
        podAnnotations: [String: String], podLabels: [String: String]
    ) -> [ClientIDNearMiss] {
        let places: [(Place, [String: String])] = [
            (.serviceAccountAnnotation, serviceAccountAnnotations), (.serviceAccountLabel, serviceAccountLabels),
            (.podAnnotation, podAnnotations), (.podLabel, podLabels),
        ]
        return places.flatMap { place, entries in
            entries.keys.sorted().filter { key in
                place == .serviceAccountAnnotation ? key != expectedKey && resembles(key) : key == expectedKey || resembles(key)
            }.map { ClientIDNearMiss(place: place, key: $0, value: entries[$0] ?? "") }
        }
    }

    /// Whether `key` looks like the client-id key: the same letters and digits with other
    /// separators or case, a bare `client-id`/`azure-client-id`, or at most two edits away.
    static func resembles(_ key: String) -> Bool {
        let squeezed = squeeze(key)
        if squeezed == squeeze(expectedKey) || squeezed == "clientid" || squeezed == "azureclientid" { return true }
        return editDistance(Array(key.lowercased().utf8), Array(expectedKey.utf8), limit: 2) <= 2
    }

    /// Lower-case letters and digits only.
    private static func squeeze(_ key: String) -> String {
        String(key.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) })
    }

    /// Levenshtein distance, or `limit + 1` as soon as it must exceed `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            if current.min()! > limit { return limit + 1 }
            previous = current
        }
        return previous[b.count]
    }
}
