/// A `coordination.k8s.io/v1` Lease as leader election reads and writes it: the spec, and the
/// resourceVersion that makes the next write conditional.
public struct Lease: Sendable, Equatable {
    /// The Lease's `spec`.
    public struct Record: Sendable, Equatable, Codable {
        /// Who holds it; empty or absent when nobody does (released).
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        /// MicroTime of the current holder's acquisition.
        public var acquireTime: String?
        /// MicroTime of the holder's last renewal.
        public var renewTime: String?
        /// How many times the holder changed.
        public var leaseTransitions: Int?

        public init(holderIdentity: String?, leaseDurationSeconds: Int?, acquireTime: String?, renewTime: String?, leaseTransitions: Int?) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }

        /// The holder, nil when the Lease is free.
        public var holder: String? { holderIdentity.flatMap { $0.isEmpty ? nil : $0 } }
    }

    public var record: Record
    public var resourceVersion: String

    public init(record: Record, resourceVersion: String) {
        self.record = record
        self.resourceVersion = resourceVersion
    }
}

/// The outcome of a conditional Lease write.
public enum LeaseWriteResult: Sendable, Equatable {
    /// Written; the Lease as the API server stored it (its new resourceVersion).
    case written(Lease)
    /// Someone else wrote it first (409 on an update, or it already exists on a create).
    case conflict(String)
}
