/// One parsed HTTP/1.1 request with its whole body, as the server hands it to a handler.
public struct HTTPRequest: Sendable {
    /// The method token, e.g. "POST" (case-sensitive, as sent).
    public var method: String
    /// The request target exactly as sent, e.g. "/mutate?timeout=10s".
    public var target: String
    /// The target up to the first "?".
    public var path: String
    /// The text after the first "?", or `nil` when there is none.
    public var query: String?
    public var headers: HTTPHeaders
    /// The body after transfer decoding (chunked bodies are joined).
    public var body: [UInt8]

    public init(method: String, target: String, headers: HTTPHeaders = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(target[..<mark])
            query = String(target[target.utf8.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        self.headers = headers
        self.body = body
    }
}

/// Answers requests. Called on the connection's own thread; it may block (e.g. a cache miss that
/// asks the API server) without delaying other connections.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
