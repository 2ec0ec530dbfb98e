import WebhookPOSIX
/// The bearer token requests carry right now.
///
/// A file-backed token is checked with one `stat` per request and re-read when the file changed
/// (kubelet swaps a symlink when it rotates a projected token); a 401 forces a re-read. The last
/// good value is kept when a re-read fails, so a half-written file never empties the header.
final class BearerToken: Sendable {
    private struct State {
        var value: String?
        var fingerprint: KubeFiles.Fingerprint?
    }

    private let path: String?
    private let state: Locked<State>

    init(_ credential: KubeCredential?) {
        switch credential {
        case let .token(value):
            path = nil
            state = Locked(State(value: value))
        case let .tokenFile(file):
            path = file
            state = Locked(State())
        case nil:
            path = nil
            state = Locked(State())
        }
        if path != nil { _ = reload() }
    }

    /// Whether the token comes from a file that can change.
    var isFileBacked: Bool { path != nil }

    /// The token to send, re-read first when the file changed since the last read.
    func current() -> String? {
        guard let path else { return state.withLock { $0.value } }
        let fingerprint = KubeFiles.fingerprint(path)
        let unchanged = state.withLock { $0.fingerprint != nil && $0.fingerprint == fingerprint }
        if !unchanged { _ = reload() }
        return state.withLock { $0.value }
    }

    /// Re-reads the token file; returns whether the value changed.
    @discardableResult
    func reload() -> Bool {
        guard let path else { return false }
        let fingerprint = KubeFiles.fingerprint(path)
        guard let bytes = try? KubeFiles.read(path, what: "token file") else { return false }
        let value = Self.trimmed(bytes)
        guard !value.isEmpty else { return false }
        return state.withLock { state in
            let changed = state.value != value
            state.value = value
            state.fingerprint = fingerprint
            return changed
        }
    }

    /// The file's text without surrounding whitespace (token files often end in a newline).
    static func trimmed(_ bytes: [UInt8]) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
