import KubeClient
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test func delaysDoubleWithinJitterBoundsAndStayCapped() {
        var low = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
        var high = low
        var base = Duration.milliseconds(100)
        for _ in 0..<12 {
            let shortest = low.next(jitter: 0), longest = high.next(jitter: 0.999_999)
            #expect(shortest == base / 2)
            #expect(longest <= base && longest > base * 0.99)
            #expect(longest <= .seconds(2))
            base = min(base * 2, .seconds(2))
        }
        #expect(low.attempt == 12)
    }

    @Test func resetStartsOverAndOutOfRangeJitterIsClamped() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
        _ = backoff.next(jitter: 0.5)
        _ = backoff.next(jitter: 0.5)
        backoff.reset()
        #expect(backoff.next(jitter: 5) == .seconds(1))
        #expect(backoff.next(jitter: -1) == .seconds(1))
    }

    @Test func manyFailuresNeverOverflow() {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(30))
        for _ in 0..<500 { #expect(backoff.next(jitter: 1) <= .seconds(30)) }
    }
}
