/// How a conditional write (an update or patch guarded by a resourceVersion) ended.
///
/// A conflict is not an error: another writer got there first, and the caller re-reads and
/// works from what that writer left.
public enum KubeWriteResult: Sendable, Equatable {
    /// The write was applied.
    case written
    /// The object changed since it was read (409 Conflict, or a failed JSON-patch `test`: 422);
    /// the message is the server's.
    case conflict(String)
}
