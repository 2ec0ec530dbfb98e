/// What `serve --repair` does about labelled pods the webhook did not mutate.
public enum RepairMode: String, Sendable, Equatable, CaseIterable {
    /// Nothing: no Lease, no pod watch.
    case off
    /// Report them: a gauge, a Warning Event on each pod, a log line.
    case report
    /// Report them, and evict those a controller recreates while this replica is ready.
    case evict
}
