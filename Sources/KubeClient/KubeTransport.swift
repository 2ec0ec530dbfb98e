/// The exchanges the webhook has with the API server: a GET read whole, a watch read line by
/// line, and a write (PUT, PATCH or POST) of one object.
///
/// ``KubeAPIClient`` is the real one (TLS, HTTP/1.1, auth); tests substitute a scripted fake to
/// drive the cache's list/watch logic without sockets. Calls block: use them from owned threads.
public protocol KubeTransport: Sendable {
    /// GETs `target` (path and query) and returns the whole response, whatever its status.
    ///
    /// - Throws: `KubeClientError.transport` when no response arrives before `deadline`.
    func get(_ target: String, deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse

    /// Opens a watch on `target`; on 200 each body line (one JSON event, without "\n") goes to
    /// `onLine` until it returns `false` or the stream ends.
    ///
    /// - Returns: `.ended` when the server ended the stream, `.stopped` when `onLine` returned
    ///   `false`, `.refused` with the response when the status was not 200.
    /// - Throws: `KubeClientError.transport` when the connection fails, mid-stream included.
    func watch(_ target: String, deadline: ContinuousClock.Instant, onLine: ([UInt8]) -> Bool) throws(KubeClientError) -> KubeWatchEnd

    /// Sends `method` (PUT, PATCH, POST) to `target` with a JSON `body` of `contentType` and returns the
    /// whole response, whatever its status (409 Conflict and 422 included).
    ///
    /// - Throws: `KubeClientError.transport` when no response arrives before `deadline`.
    func write(_ method: String, _ target: String, contentType: String, body: [UInt8], deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse
}

/// A response status and its (transfer-decoded) body.
public struct KubeResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// The `message` of a Kubernetes `Status` body, or the body's start, for error messages.
    public var message: String {
        if let status = try? KubeStatus.decode(body), let message = status.message { return message }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }
}

/// How a watch stream finished.
public enum KubeWatchEnd: Sendable, Equatable {
    /// The server ended the stream (its `timeoutSeconds`, or it closed cleanly).
    case ended
    /// The line handler asked to stop (an `ERROR` event, or the caller is done).
    case stopped
    /// The server answered with this non-200 response instead of a stream.
    case refused(KubeResponse)
}
