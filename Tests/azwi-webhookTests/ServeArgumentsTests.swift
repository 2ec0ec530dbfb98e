import Admission
import ArgumentParser
@testable import azwi_webhook
import PodRepair
import Testing

@Test(arguments: [("10", Duration.seconds(10)), ("0.5", .milliseconds(500)), ("2m", .seconds(120)), ("250ms", .milliseconds(250))])
func durationFlagsAcceptSecondsAndGoDurations(_ text: String, _ expected: Duration) {
    #expect(DurationArgument(argument: text)?.duration == expected)
}

@Test(arguments: ["0", "-1", "soon", "", "nan", "inf", "5000"])
func durationFlagsRejectNonsense(_ text: String) {
    #expect(DurationArgument(argument: text) == nil)
}

@Test(arguments: [("default", true), ("kube-system", true), ("a", true), ("Default", false), ("-a", false),
                  ("a-", false), ("a_b", false), ("", false), (String(repeating: "a", count: 64), false)])
func namespaceNames(_ name: String, _ valid: Bool) {
    #expect(ServeCommand.isDNSLabel(name) == valid)
}

@Test func staticSourceFindsByNamespaceAndName() {
    let account = ServiceAccountFacts(namespace: "ns", name: "sa", annotations: [:])
    let source = StaticServiceAccountSource([account])
    #expect(source.isSynced)
    #expect(source.lookup(namespace: "ns", name: "sa", deadline: .now) == .found(account))
    #expect(source.lookup(namespace: "other", name: "sa", deadline: .now) == .notFound)
    #expect(source.lookup(namespace: "ns", name: "other", deadline: .now) == .notFound)
}

@Test func devCurlLineNamesTheCAAndPort() {
    #expect(DevMode.curlCommand(certificateDirectory: "/tmp/d", port: 1234)
        == "curl --cacert /tmp/d/ca.crt -H 'Content-Type: application/json' --data @examples/admission-review.json https://127.0.0.1:1234/mutate-v1-pod")
}

@Test func repairFlagsParseAndNeedAnAPIServer() throws {
    let defaults = try ServeCommand.parse([])
    #expect(defaults.repair == nil && defaults.repairEvictionsPerMinute == 10 && defaults.repairResync.duration == .seconds(600))
    #expect(defaults.repairResync.description == "10m")
    let evict = try ServeCommand.parse(["--repair=evict", "--repair-evictions-per-minute", "3", "--repair-resync", "30s"])
    #expect(evict.repair == .evict && evict.repairEvictionsPerMinute == 3 && evict.repairResync.duration == .seconds(30))
    #expect(throws: (any Error).self) { try ServeCommand.parse(["--repair=sometimes"]) }
    #expect(throws: (any Error).self) { try ServeCommand.parse(["--repair=report", "--dev"]) }
    #expect(throws: (any Error).self) { try ServeCommand.parse(["--repair-evictions-per-minute", "0"]) }
    #expect(try ServeCommand.parse(["--repair=off", "--dev"]).repair == .off)
}
