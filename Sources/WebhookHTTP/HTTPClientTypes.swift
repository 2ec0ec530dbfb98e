public import WebhookPOSIX

/// A request for `HTTPClientConnection`: the target is the path and query ("/api/v1/...?watch=1").
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, target: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// The status line and header fields of a response, available before its body.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
}

/// A complete response read by `HTTPClientConnection.send(_:deadline:)`.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body after transfer decoding.
    public var body: [UInt8]
}

/// Why a client exchange failed: the transport, or a response that breaks HTTP/1.1 framing.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case transport(StreamError)
    case malformedResponse(String)
    /// The response head or body exceeded the connection's limit (bytes).
    case responseTooLarge(limit: Int)
    /// The connection cannot carry another request (closed, or a previous body was not read).
    case notReusable

    public var description: String {
        switch self {
        case let .transport(error): "\(error)"
        case let .malformedResponse(reason): "malformed HTTP response: \(reason)"
        case let .responseTooLarge(limit): "HTTP response larger than \(limit) bytes"
        case .notReusable: "the HTTP connection cannot be reused"
        }
    }
}
