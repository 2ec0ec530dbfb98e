/// The rules of Lease-based leader election, as client-go's leaderelection package applies them,
/// for one candidate: what to write after reading the Lease, and when leadership begins and ends.
///
/// Pure: the caller reads and writes the Lease and passes the monotonic time and the wall-clock
/// time of each step, so tests drive it without an API server or sleeping. Expiry is judged by
/// when *this* candidate last saw the Lease change (its local clock), never by the timestamps in
/// the Lease, so clock skew between nodes cannot make two leaders.
public struct LeaderElection: Sendable {
    /// The timings; the defaults are the usual ones (client-go's, kube-controller-manager's).
    public struct Timing: Sendable, Equatable {
        /// How long a Lease not renewed stays another candidate's.
        public var leaseDuration: Duration = .seconds(15)
        /// How long a leader keeps leading without a successful renewal.
        public var renewDeadline: Duration = .seconds(10)
        /// The pause between attempts to acquire or renew.
        public var retryPeriod: Duration = .seconds(2)

        public init() {}
    }

    /// What to do after reading the Lease.
    public enum Step: Sendable, Equatable {
        /// No Lease exists: create it as its holder.
        case create(Lease.Record)
        /// Write it as its holder (acquire or renew), conditional on the resourceVersion read.
        case update(Lease.Record, resourceVersion: String)
        /// Another candidate holds it and has renewed it within the lease duration.
        case wait(holder: String)
    }

    /// A change of leadership a step caused.
    public enum Transition: Sendable, Equatable {
        case startedLeading
        case stoppedLeading
    }

    public let identity: String
    public let timing: Timing
    /// The Lease last read or written, and when this candidate first saw it as it is.
    private var observed: (lease: Lease, at: ContinuousClock.Instant)?
    /// When this candidate last wrote the Lease as its holder; nil while not leading.
    public private(set) var lastRenewal: ContinuousClock.Instant?

    public init(identity: String, timing: Timing = Timing()) {
        self.identity = identity
        self.timing = timing
    }

    public var isLeader: Bool { lastRenewal != nil }

    /// The Lease last seen, for a leader's next renewal (written without reading it first).
    public var observedLease: Lease? { observed?.lease }

    /// Decides what to write, given the Lease as just read (`nil`: it does not exist).
    ///
    /// - Returns: the step, and ``Transition/stoppedLeading`` when this candidate led and another now holds a valid Lease.
    public mutating func decide(_ current: Lease?, now: ContinuousClock.Instant, wallClock: KubeTime) -> (Step, Transition?) {
        guard let current else {
            return (.create(record(acquiring: nil, wallClock: wallClock)), nil)
        }
        if observed?.lease.record != current.record {
            observed = (current, now)
        } else {
            observed?.lease = current
        }
        if let holder = current.record.holder, holder != identity, let seen = observed?.at, now - seen < leaseDuration(of: current.record) {
            return (.wait(holder: holder), stopLeading())
        }
        return (.update(record(acquiring: current.record, wallClock: wallClock), resourceVersion: current.resourceVersion), nil)
    }

    /// The step a leader takes to renew without reading first: an update of the Lease it last
    /// wrote; nil when not leading.
    public func renewal(wallClock: KubeTime) -> Step? {
        guard isLeader, let lease = observed?.lease else { return nil }
        return .update(record(acquiring: lease.record, wallClock: wallClock), resourceVersion: lease.resourceVersion)
    }

    /// The write of a ``Step`` succeeded: this candidate holds `written` from now.
    public mutating func written(_ written: Lease, now: ContinuousClock.Instant) -> Transition? {
        observed = (written, now)
        let started = lastRenewal == nil
        lastRenewal = now
        return started ? .startedLeading : nil
    }

    /// A write failed or conflicted, or the read failed: a leader stops once its renew deadline
    /// has passed since its last successful write.
    public mutating func failed(now: ContinuousClock.Instant) -> Transition? {
        guard let lastRenewal, now - lastRenewal >= timing.renewDeadline else { return nil }
        return stopLeading()
    }

    /// The update that hands the Lease over at once (no holder, a one-second duration), when
    /// leading; leadership ends here whether or not the write succeeds.
    public mutating func release(wallClock: KubeTime) -> (record: Lease.Record, resourceVersion: String)? {
        guard isLeader, let lease = observed?.lease else { return nil }
        lastRenewal = nil
        let released = Lease.Record(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: wallClock.microTime, renewTime: wallClock.microTime,
            leaseTransitions: lease.record.leaseTransitions)
        return (released, lease.resourceVersion)
    }

    private mutating func stopLeading() -> Transition? {
        guard lastRenewal != nil else { return nil }
        lastRenewal = nil
        return .stoppedLeading
    }

    /// This candidate's record: acquisition time and transitions carried over when it already holds it.
    private func record(acquiring previous: Lease.Record?, wallClock: KubeTime) -> Lease.Record {
        let now = wallClock.microTime
        let seconds = Int(timing.leaseDuration.components.seconds)
        guard let previous else {
            return Lease.Record(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now, leaseTransitions: 0)
        }
        if previous.holder == identity {
            return Lease.Record(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: previous.acquireTime ?? now,
                                renewTime: now, leaseTransitions: previous.leaseTransitions ?? 0)
        }
        return Lease.Record(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now,
                            leaseTransitions: (previous.leaseTransitions ?? 0) + 1)
    }

    /// The holder's declared duration, else ours.
    private func leaseDuration(of record: Lease.Record) -> Duration {
        record.leaseDurationSeconds.map { .seconds($0) } ?? timing.leaseDuration
    }
}
