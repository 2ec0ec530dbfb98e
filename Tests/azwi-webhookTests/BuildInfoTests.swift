@testable import azwi_webhook
import Logging
import Testing

private let release = BuildInfo(
    version: "v1.2.3", commit: "0123456789abcdef0123456789abcdef01234567", date: "2026-11-23T10:00:00Z",
    swiftVersion: "6.3.1", platform: "linux/arm64")

@Test func versionIsUpstreamsJSONShapeWithSwiftForGo() {
    #expect(release.json == #"{"buildVersion":"v1.2.3","gitCommit":"0123456789abcdef0123456789abcdef01234567","#
        + #""buildDate":"2026-11-23T10:00:00Z","swiftVersion":"6.3.1","platform":"linux/arm64"}"#)
}

@Test func versionJSONEscapesItsValues() {
    var odd = release
    odd.version = #"v1"\"#
    #expect(odd.json.hasPrefix(#"{"buildVersion":"v1\"\\","#))
}

@Test func plainBuildReportsDevAndUnknown() {
    // The test binary links CBuildStamp's defaults: only scripts/build-release stamps values.
    let current = BuildInfo.current
    #expect(current.version == "dev")
    #expect([current.commit, current.date, current.swiftVersion] == ["unknown", "unknown", "unknown"])
    #expect(current.platform == BuildInfo.compiledPlatform)
    #expect(current.platform == "linux/amd64" || current.platform == "linux/arm64")
}

@Test func userAgentNamesVersionPlatformCommitDateAndSwift() {
    #expect(release.userAgent
        == "azwi-webhook/v1.2.3 (linux/arm64) 0123456789abcdef0123456789abcdef01234567/2026-11-23T10:00:00Z swift/6.3.1")
}

@Test func firstLogLineCarriesEveryField() {
    #expect(release.logMetadata == [
        "version": "v1.2.3", "commit": "0123456789abcdef0123456789abcdef01234567", "buildDate": "2026-11-23T10:00:00Z",
        "swiftVersion": "6.3.1", "platform": "linux/arm64",
    ])
}
