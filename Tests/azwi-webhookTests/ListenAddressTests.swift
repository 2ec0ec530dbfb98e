@testable import azwi_webhook
import Testing

@Test func emptyHostMeansEveryInterface() throws {
    let address = try ListenAddress(":9440", flag: "--health-addr")
    #expect(address == ListenAddress(host: "", port: 9440))
    #expect(address.description == ":9440")
}

@Test func loopbackWithAnyPort() throws {
    #expect(try ListenAddress("127.0.0.1:0", flag: "--health-addr") == ListenAddress(host: "127.0.0.1", port: 0))
}

@Test func bracketedIPv6() throws {
    let address = try ListenAddress("[::1]:8095", flag: "--metrics-addr")
    #expect(address == ListenAddress(host: "::1", port: 8095))
    #expect(address.description == "[::1]:8095")
}

@Test func localhostBindsLoopback() throws {
    #expect(try ListenAddress("localhost:1", flag: "--metrics-addr").host == "127.0.0.1")
}

@Test(arguments: ["nonsense", ":99999", ":-1", "host:", "::1:80", ":port"])
func malformedAddressesNameTheFlag(_ value: String) {
    #expect {
        try ListenAddress(value, flag: "--metrics-addr")
    } throws: { error in
        (error as? ServeError)?.description.contains("--metrics-addr \"\(value)\"") == true
    }
}
