public import Logging
import WebhookPOSIX

/// Campaigns for a Lease on a thread of its own and says when this process leads: the
/// ``LeaderElection`` rules driven by real reads and writes through a ``LeaseClient``.
///
/// Not leading, it reads the Lease every retry period (jittered, so candidates spread out) and
/// takes it when it is free or expired. Leading, it renews every retry period without reading
/// first, and stops leading when a renewal has not succeeded for the renew deadline, before any
/// other candidate can see the Lease expire. ``stop()`` ends the leadership and then
/// releases the Lease, so another candidate takes over at its next attempt.
public final class LeaderElector: Sendable {
    private struct State {
        var election: LeaderElection
        var stopping = false
        var finished = false
    }

    private let client: LeaseClient
    private let logger: Logger
    private let onStartedLeading: @Sendable () -> Void
    private let onStoppedLeading: @Sendable () -> Void
    private let state: LockedCondition<State>
    private let wake: WakePipe

    /// - Parameters:
    ///   - identity: this candidate's name in the Lease (the pod name).
    ///   - onStartedLeading: called on the elector's thread when this process starts leading.
    ///   - onStoppedLeading: called on the elector's thread when it stops (lost, or stopping);
    ///     the work must have stopped when it returns, since the Lease is released next.
    /// - Throws: `KubeClientError.configuration` when the stop signal cannot be created.
    public init(
        client: LeaseClient, identity: String, timing: LeaderElection.Timing = LeaderElection.Timing(), logger: Logger,
        onStartedLeading: @escaping @Sendable () -> Void, onStoppedLeading: @escaping @Sendable () -> Void
    ) throws(KubeClientError) {
        self.client = client
        self.logger = logger
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
        state = LockedCondition(State(election: LeaderElection(identity: identity, timing: timing)))
        do throws(SystemError) {
            wake = try WakePipe()
        } catch {
            throw .configuration("cannot create the leader election's stop signal: \(error)")
        }
    }

    /// Whether this process leads now.
    public var isLeader: Bool { state.update(waking: .none) { $0.election.isLeader } }

    /// Starts campaigning on a new thread.
    ///
    /// - Throws: `KubeClientError.configuration` when the thread cannot be created.
    public func start() throws(KubeClientError) {
        do throws(SystemError) {
            try OwnedThread.start { [self] in run() }
        } catch {
            throw .configuration("cannot start the leader election thread: \(error)")
        }
    }

    /// Asks it to stop campaigning; returns at once. A leader stops leading (``onStoppedLeading``)
    /// and releases the Lease.
    public func stop() {
        state.update { $0.stopping = true }
        wake.signal()
    }

    /// Waits, after ``stop()``, until the leadership has ended and the Lease is released;
    /// `false` when `timeout` passed first.
    public func waitUntilStopped(timeout: Duration) -> Bool {
        state.wait(timeout: timeout, until: \.finished) { $0.finished }
    }

    private var isStopping: Bool { state.update(waking: .none) { $0.stopping } }

    private func run() {
        let lease = "\(client.namespace)/\(client.name)"
        while !isStopping {
            let pause = attempt(lease: lease)
            if wake.wait(until: .now + pause) { break }
        }
        release(lease: lease)
        state.update { $0.finished = true }
    }

    /// One acquire or renew attempt; returns how long to wait before the next.
    private func attempt(lease: String) -> Duration {
        let (renewal, timing, lastRenewal) = state.update(waking: .none) { ($0.election.renewal(wallClock: .now()), $0.election.timing, $0.election.lastRenewal) }
        do throws(KubeClientError) {
            if case let .update(record, resourceVersion) = renewal, let lastRenewal {
                // Renew without reading; give up on a request that would outlast the renew deadline.
                let deadline = lastRenewal + timing.renewDeadline
                if case .written = try write(record, over: resourceVersion, deadline: deadline) { return timing.retryPeriod }
            }
            let current = try client.get()
            let (step, transition) = state.update(waking: .none) { $0.election.decide(current, now: .now, wallClock: .now()) }
            if let transition { announce(transition, lease: lease) }
            switch step {
            case let .wait(holder):
                logger.debug("the Lease is held by another replica", metadata: ["lease": "\(lease)", "holder": "\(holder)"])
            case let .create(record):
                _ = try write(record, over: nil, deadline: nil)
            case let .update(record, resourceVersion):
                _ = try write(record, over: resourceVersion, deadline: nil)
            }
        } catch {
            logger.warning("leader election: the Lease could not be read or written", metadata: ["lease": "\(lease)", "error": "\(error)"])
            let transition = state.update(waking: .none) { $0.election.failed(now: .now) }
            if let transition { announce(transition, lease: lease) }
        }
        // Leaders renew on the beat; candidates spread out (client-go's jitter factor 1.2).
        let leading = state.update(waking: .none) { $0.election.isLeader }
        return leading ? timing.retryPeriod : timing.retryPeriod * (1 + 1.2 * Double.random(in: 0..<1))
    }

    /// Creates the Lease (`resourceVersion` nil) or updates it from `resourceVersion`; on success
    /// records it (and announces a start of leadership), on conflict counts a failed attempt.
    private func write(_ record: Lease.Record, over resourceVersion: String?, deadline: ContinuousClock.Instant?) throws(KubeClientError) -> LeaseWriteResult {
        let result = if let resourceVersion {
            try client.update(record, resourceVersion: resourceVersion, deadline: deadline)
        } else {
            try client.create(record)
        }
        switch result {
        case let .written(lease):
            if state.update(waking: .none, { $0.election.written(lease, now: .now) }) == .startedLeading {
                announce(.startedLeading, lease: "\(client.namespace)/\(client.name)")
            }
        case let .conflict(message):
            logger.debug("leader election: the Lease changed meanwhile", metadata: ["message": "\(message)"])
            let transition = state.update(waking: .none) { $0.election.failed(now: .now) }
            if let transition { announce(transition, lease: "\(client.namespace)/\(client.name)") }
        }
        return result
    }

    private func announce(_ transition: LeaderElection.Transition, lease: String) {
        switch transition {
        case .startedLeading:
            logger.info("became the leader", metadata: ["lease": "\(lease)"])
            onStartedLeading()
        case .stoppedLeading:
            logger.info("stopped leading", metadata: ["lease": "\(lease)"])
            onStoppedLeading()
        }
    }

    /// Ends a leadership in progress and hands the Lease over.
    private func release(lease: String) {
        let released = state.update(waking: .none) { $0.election.release(wallClock: .now()) }
        guard let released else { return }
        logger.info("stopped leading", metadata: ["lease": "\(lease)"])
        onStoppedLeading()
        do throws(KubeClientError) {
            if case let .conflict(message) = try client.update(released.record, resourceVersion: released.resourceVersion) {
                logger.info("the Lease changed before it could be released", metadata: ["lease": "\(lease)", "message": "\(message)"])
            } else {
                logger.info("released the Lease", metadata: ["lease": "\(lease)"])
            }
        } catch {
            logger.warning("the Lease could not be released; another replica takes over when it expires", metadata: ["lease": "\(lease)", "error": "\(error)"])
        }
    }
}
