/// One parsed HTTP/1.1 request with its whole body, as the server hands it to a handler.
public struct HTTPRequest: Sendable {
    /// The method token, e.g. "POST" (case-sensitive, as sent).
    public var method: String
    /// The request target exactly as sent, e.g. "/mutate?timeout=10s".
    public var target: String
    /// The target's path: up to the first "?", and for an absolute-form target
    /// (`https://host/mutate?x`, RFC 9112 §3.2.2) the part after the authority ("/" when empty).
    public var path: String
    /// The text after the first "?", or `nil` when there is none.
    public var query: String?
    public var headers: HTTPHeaders
    /// The body after transfer decoding (chunked bodies are joined).
    public var body: [UInt8]

    public init(method: String, target: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        let relative = Self.originForm(target)
        if let mark = relative.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(relative[..<mark])
            query = String(relative[relative.utf8.index(after: mark)...])
        } else {
            path = String(relative)
            query = nil
        }
        self.headers = headers
        self.body = body
    }

    /// `target` without the scheme and authority of an absolute-form target (`http://` or
    /// `https://`, any case); other targets as they are.
    static func originForm(_ target: String) -> Substring {
        let bytes = target.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              ["http", "https"].contains(target[..<colon].lowercased()),
              target[colon...].hasPrefix("://")
        else { return target[...] }
        let authority = target.utf8.index(colon, offsetBy: 3)
        guard let slash = target[authority...].utf8.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
            return "/"
        }
        return target[slash] == "?" ? "/" + target[slash...] : target[slash...]
    }
}

/// Answers requests. Called on the connection's own thread; it may block (e.g. a cache miss that
/// asks the API server) without delaying other connections.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
