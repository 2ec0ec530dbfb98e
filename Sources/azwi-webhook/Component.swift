/// A long-lived part of the running server with threads of its own: a listener, the
/// ServiceAccount cache, certificate work, the cluster-version read.
///
/// ``WebhookProcess`` starts every component from one ordered list and stops them in reverse, so
/// what starts first (the probe listeners) stops last. Synchronous on purpose: each component
/// runs on threads it owns, and start and stop are calls, not tasks.
protocol Component: AnyObject, Sendable {
    /// Names the component in logs.
    var name: String { get }
    /// Starts its threads; a failure stops the process start with a message naming what failed.
    func start() throws
    /// Asks it to stop; returns at once.
    func beginShutdown()
    /// Waits, after ``beginShutdown()``, until its work has finished; `false` when `timeout` passed first.
    func waitUntilStopped(timeout: Duration) -> Bool
}
