@testable import azwi_webhook
import Testing

@Test(arguments: [
    ("10s", Duration.seconds(10)), ("1m30s", .seconds(90)), ("500ms", .milliseconds(500)),
    ("1.5s", .milliseconds(1500)), ("1h", .seconds(3600)), ("250us", .microseconds(250)),
])
func goDurationsParse(_ text: String, _ expected: Duration) {
    #expect(AdmissionDeadline.parseGoDuration(Substring(text)) == expected)
}

@Test(arguments: ["", "10", "s", "-5s", "10x", "1..5s", "2h1s", "1e3s"])
func invalidGoDurationsAreRejected(_ text: String) {
    #expect(AdmissionDeadline.parseGoDuration(Substring(text)) == nil)
}

@Test func budgetKeepsAMarginBeforeTheApiserverTimeout() {
    #expect(AdmissionDeadline.budget(query: "timeout=10s") == .seconds(10) - AdmissionDeadline.margin)
    #expect(AdmissionDeadline.budget(query: "dryRun=All&timeout=3s") == .seconds(3) - AdmissionDeadline.margin)
}

@Test func budgetDefaultsWhenTheQueryHasNoTimeout() {
    let fallback = AdmissionDeadline.defaultTimeout - AdmissionDeadline.margin
    #expect(AdmissionDeadline.budget(query: nil) == fallback)
    #expect(AdmissionDeadline.budget(query: "timeout=banana") == fallback)
}

@Test func budgetNeverDropsBelowTheMinimum() {
    #expect(AdmissionDeadline.budget(query: "timeout=1ms") == AdmissionDeadline.minimumBudget)
}
