import WebhookPOSIX

/// The server context new connections use, swapped atomically by the certificate reloader.
///
/// Shared by the acceptor and the reloader thread. Connections already open keep the context
/// they were made with.
public final class CurrentTLSContext: Sendable {
    private let current: Locked<TLSContext>

    public init(_ context: TLSContext) {
        current = Locked(context)
    }

    /// The context to make the next connection with.
    public func load() -> TLSContext {
        current.withLock { $0 }
    }

    /// Publishes `next` for every later connection.
    public func replace(with next: TLSContext) {
        current.withLock { $0 = next }
    }
}
