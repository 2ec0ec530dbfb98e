import Testing
import WebhookTLS

@Suite struct TLSVersionTests {
    @Test func acceptedFlags() throws {
        #expect(try TLSVersion(flag: "1.2") == .tls12)
        #expect(try TLSVersion(flag: "1.3") == .tls13)
        #expect(try TLSVersion(flag: " 1.3 ") == .tls13)
        #expect(try TLSVersion(flag: "VersionTLS12") == .tls12)
    }

    @Test(arguments: ["1.0", "1.1", "VersionTLS10"])
    func insecureVersionsAreRefusedAsInsecure(_ flag: String) {
        #expect {
            try TLSVersion(flag: flag)
        } throws: { error in
            "\(error)".contains("insecure") && "\(error)".contains("1.2 or 1.3")
        }
    }

    @Test(arguments: ["", "1.4", "2", "tls", "1.2.0"])
    func unknownValuesNameTheAcceptedOnes(_ flag: String) {
        #expect {
            try TLSVersion(flag: flag)
        } throws: { error in
            "\(error)".contains("expected 1.2 or 1.3")
        }
    }
}
