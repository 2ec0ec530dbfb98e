import Testing
import WebhookPOSIX

@Suite struct HostNameTests {
    @Test func bracketsAroundAnIPv6LiteralAreRemoved() {
        #expect(HostName.unbracketed("[::1]") == "::1")
        #expect(HostName.unbracketed("[fd00::10]") == "fd00::10")
    }

    @Test func namesAndIPv4AddressesAreLeftAlone() {
        #expect(HostName.unbracketed("kubernetes.default.svc") == "kubernetes.default.svc")
        #expect(HostName.unbracketed("10.0.0.1") == "10.0.0.1")
        #expect(HostName.unbracketed("::1") == "::1")
        #expect(HostName.unbracketed("[::1") == "[::1")
    }
}
