import Admission
import Testing

@Test func publicCloudIsTheDefault() throws {
    #expect(try CloudEnvironment.authorityHost(for: "", stackEnvironmentJSON: nil) == "https://login.microsoftonline.com/")
}
