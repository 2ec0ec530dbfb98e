import Testing
import WebhookPOSIX

@Test func readMostlyCacheCreatesEachValueOnce() async {
    final class Made: Sendable {}
    let cache = ReadMostlyCache<Int, Made>()
    let made = await withTaskGroup(of: [ObjectIdentifier].self) { group in
        for _ in 0..<8 {
            group.addTask { (0..<100).map { ObjectIdentifier(cache.value(for: $0 % 10) { Made() }) } }
        }
        var all: Set<ObjectIdentifier> = []
        for await ids in group { all.formUnion(ids) }
        return all
    }
    #expect(made.count == 10)
}
