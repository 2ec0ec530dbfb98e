import KubeClient
import Testing

@Suite("Leader election rules: acquire, renew, expiry by the local clock, conflicts, release")
struct LeaderElectionTests {
    private let start = ContinuousClock.now
    private let wall = KubeTime(seconds: 1_800_000_000, nanoseconds: 123_456_000)

    private func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    private func lease(holder: String?, renew: String = "2027-01-15T08:00:00.000000Z", transitions: Int? = 3, rv: String = "10") -> Lease {
        Lease(record: Lease.Record(holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: "2027-01-15T07:00:00.000000Z",
                                   renewTime: renew, leaseTransitions: transitions), resourceVersion: rv)
    }

    @Test func noLeaseIsCreatedWithThisCandidateAsHolder() {
        var election = LeaderElection(identity: "pod-a")
        let (step, transition) = election.decide(nil, now: at(0), wallClock: wall)
        #expect(step == .create(Lease.Record(holderIdentity: "pod-a", leaseDurationSeconds: 15, acquireTime: "2027-01-15T08:00:00.123456Z",
                                             renewTime: "2027-01-15T08:00:00.123456Z", leaseTransitions: 0)))
        #expect(transition == nil)
        #expect(!election.isLeader)
        #expect(election.written(lease(holder: "pod-a", rv: "11"), now: at(0.1)) == .startedLeading)
        #expect(election.isLeader)
    }

    @Test func anotherHoldersLeaseIsRespectedUntilItStaysUnchangedForTheLeaseDuration() {
        var election = LeaderElection(identity: "pod-a")
        let held = lease(holder: "pod-b")
        #expect(election.decide(held, now: at(0), wallClock: wall).0 == .wait(holder: "pod-b"))
        #expect(election.decide(held, now: at(14.9), wallClock: wall).0 == .wait(holder: "pod-b"))
        // Renewed at 10 s: the expiry counts from when this candidate saw the change.
        let renewed = lease(holder: "pod-b", renew: "2027-01-15T08:00:10.000000Z", rv: "12")
        #expect(election.decide(renewed, now: at(10), wallClock: wall).0 == .wait(holder: "pod-b"))
        #expect(election.decide(renewed, now: at(24.9), wallClock: wall).0 == .wait(holder: "pod-b"))
        guard case let .update(record, resourceVersion) = election.decide(renewed, now: at(25), wallClock: wall).0 else {
            Issue.record("an expired Lease is taken")
            return
        }
        #expect(resourceVersion == "12")
        #expect(record.holderIdentity == "pod-a")
        #expect(record.leaseTransitions == 4)
        #expect(record.acquireTime == wall.microTime)
    }

    @Test func aReleasedLeaseIsTakenAtOnce() {
        var election = LeaderElection(identity: "pod-a")
        let released = Lease(record: Lease.Record(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: nil, renewTime: nil, leaseTransitions: 5), resourceVersion: "20")
        guard case let .update(record, "20") = election.decide(released, now: at(0), wallClock: wall).0 else {
            Issue.record("a Lease without holder is free")
            return
        }
        #expect(record.holderIdentity == "pod-a" && record.leaseTransitions == 6)
    }

    @Test func aLeaseThisCandidateHoldsIsRenewedKeepingItsAcquisition() {
        var election = LeaderElection(identity: "pod-a")
        guard case let .update(record, "10") = election.decide(lease(holder: "pod-a"), now: at(0), wallClock: wall).0 else {
            Issue.record("its own Lease is renewed, even before it knows it leads (a restart)")
            return
        }
        #expect(record.acquireTime == "2027-01-15T07:00:00.000000Z")
        #expect(record.renewTime == wall.microTime)
        #expect(record.leaseTransitions == 3)
    }

    @Test func aLeaderRenewsFromWhatItWroteAndStopsAfterTheRenewDeadline() {
        var election = LeaderElection(identity: "pod-a")
        #expect(election.renewal(wallClock: wall) == nil)
        _ = election.written(lease(holder: "pod-a", rv: "30"), now: at(0))
        guard case let .update(record, "30") = election.renewal(wallClock: wall) else {
            Issue.record("a leader renews the Lease it wrote")
            return
        }
        #expect(record.renewTime == wall.microTime)
        #expect(election.written(lease(holder: "pod-a", rv: "31"), now: at(2)) == nil)
        #expect(election.failed(now: at(4)) == nil)
        #expect(election.failed(now: at(11.9)) == nil)
        #expect(election.isLeader)
        #expect(election.failed(now: at(12)) == .stoppedLeading)
        #expect(!election.isLeader)
        #expect(election.failed(now: at(13)) == nil)
    }

    @Test func aLeaderThatFindsAnotherHolderStopsAtOnce() {
        var election = LeaderElection(identity: "pod-a")
        _ = election.written(lease(holder: "pod-a"), now: at(0))
        let (step, transition) = election.decide(lease(holder: "pod-b", rv: "40"), now: at(3), wallClock: wall)
        #expect(step == .wait(holder: "pod-b"))
        #expect(transition == .stoppedLeading)
    }

    @Test func releaseHandsTheLeaseOverWithNoHolder() {
        var election = LeaderElection(identity: "pod-a")
        #expect(election.release(wallClock: wall) == nil)
        _ = election.written(lease(holder: "pod-a", rv: "50"), now: at(0))
        let released = election.release(wallClock: wall)
        #expect(released?.resourceVersion == "50")
        #expect(released?.record.holderIdentity == "")
        #expect(released?.record.holder == nil)
        #expect(released?.record.leaseDurationSeconds == 1)
        #expect(released?.record.leaseTransitions == 3)
        #expect(!election.isLeader)
    }

    @Test func wallClockFormats() {
        #expect(KubeTime(seconds: 0).time == "1970-01-01T00:00:00Z")
        #expect(KubeTime(seconds: 1_800_000_000, nanoseconds: 5_000).microTime == "2027-01-15T08:00:00.000005Z")
    }
}
