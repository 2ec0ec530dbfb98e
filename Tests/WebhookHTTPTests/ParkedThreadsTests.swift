import Synchronization
import Testing
import WebhookPOSIX
import WebhookTLS
@testable import WebhookHTTP
#if canImport(Glibc)
import Glibc
#endif

/// What a thread calling `ParkedThreads.next()` got back, once it returned.
private final class ParkingResult: Sendable {
    let returned = Atomic<Bool>(false)
    let socket = Atomic<Int32>(-1)

    /// Starts a thread that parks in `threads` and records what `next()` returns (-1 for nil).
    static func park(in threads: ParkedThreads) throws -> ParkingResult {
        let result = ParkingResult()
        try OwnedThread.start {
            result.socket.store(threads.next() ?? -1, ordering: .sequentiallyConsistent)
            result.returned.store(true, ordering: .sequentiallyConsistent)
        }
        return result
    }

    /// Waits up to `seconds` for the parked thread to return.
    func waitForReturn(seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !returned.load(ordering: .sequentiallyConsistent) {
            if ContinuousClock.now > deadline { return false }
            usleep(1000)
        }
        return true
    }
}

@Suite struct ParkedThreadsTests {
    @Test func nothingIsHandedOverWhenNoThreadIsParked() {
        let threads = ParkedThreads(capacity: 4, idleLifetime: .seconds(30))
        #expect(!threads.handOver(7))
    }

    @Test func aParkedThreadServesTheNextSocket() throws {
        let threads = ParkedThreads(capacity: 4, idleLifetime: .seconds(30))
        let parked = try ParkingResult.park(in: threads)
        // The thread parks soon after it starts; until then there is nobody to hand over to.
        let deadline = ContinuousClock.now + .seconds(10)
        while !threads.handOver(42) {
            try #require(ContinuousClock.now < deadline, "the thread never parked")
            usleep(1000)
        }
        #expect(parked.waitForReturn(seconds: 10))
        #expect(parked.socket.load(ordering: .sequentiallyConsistent) == 42)
        // One parked thread takes one socket: with it gone, nothing more is handed over.
        #expect(!threads.handOver(43))
    }

    @Test func closeSendsParkedThreadsAwayAtOnce() throws {
        let threads = ParkedThreads(capacity: 4, idleLifetime: .seconds(300))
        let parked = try ParkingResult.park(in: threads)
        usleep(50_000)
        threads.close()
        #expect(parked.waitForReturn(seconds: 10), "a parked thread waited on after close()")
        #expect(parked.socket.load(ordering: .sequentiallyConsistent) == -1)
        #expect(threads.next() == nil)
        #expect(!threads.handOver(7))
    }

    @Test func aThreadLeavesAfterItsIdleLifetime() throws {
        let threads = ParkedThreads(capacity: 4, idleLifetime: .milliseconds(50))
        let parked = try ParkingResult.park(in: threads)
        #expect(parked.waitForReturn(seconds: 10))
        #expect(parked.socket.load(ordering: .sequentiallyConsistent) == -1)
        #expect(!threads.handOver(7))
    }

    @Test func noThreadParksBeyondTheCapacity() {
        let threads = ParkedThreads(capacity: 0, idleLifetime: .seconds(300))
        let started = ContinuousClock.now
        #expect(threads.next() == nil)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
