import Testing
@testable import WebhookHTTP

@Suite struct HTTPRequestTests {
    @Test(arguments: [
        ("/mutate-v1-pod?timeout=10s", "/mutate-v1-pod", "timeout=10s"),
        ("/mutate-v1-pod", "/mutate-v1-pod", nil),
        ("https://webhook.svc:443/mutate-v1-pod?timeout=10s", "/mutate-v1-pod", "timeout=10s"),
        ("HTTP://[::1]:9443/mutate-v1-pod", "/mutate-v1-pod", nil),
        ("https://webhook.svc", "/", nil),
        ("https://webhook.svc?x=1", "/", "x=1"),
        ("*", "*", nil),
        ("ftp://host/x", "ftp://host/x", nil),
    ] as [(String, String, String?)])
    func originAndAbsoluteFormTargetsRouteByTheirPath(_ target: String, _ path: String, _ query: String?) {
        let request = HTTPRequest(method: "POST", target: target)
        #expect(request.path == path)
        #expect(request.query == query)
        #expect(request.target == target)
    }
}
