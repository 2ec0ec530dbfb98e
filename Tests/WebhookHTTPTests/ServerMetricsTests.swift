import MetricsTestKit
import Testing
import WebhookHTTP
import WebhookPOSIX
import WebhookTLS

@Suite(.serialized) struct ServerMetricsTests {
    @Test func requestsByStatusConnectionsAndHandshakeFailuresAreCounted() throws {
        let metrics = TestMetrics()
        let certificates = try SelfSignedCertificates.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let current = CurrentTLSContext(try TLSContext.server(
            certificateChainPEM: certificates.certificateChainPEM, privateKeyPEM: certificates.privateKeyPEM, minimumVersion: .tls12))
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: current, name: "webhook")
        configuration.maxConnections = 1
        let server = try HTTPServer(configuration: configuration, handler: ClosureHandler { request in
            HTTPResponse(status: request.path == "/missing" ? 404 : 200)
        }, logger: silentLogger, metricsFactory: metrics)
        let port = try server.start()
        let context = try TLSContext.client(trustedCAPEM: certificates.caCertificatePEM, clientCertificatePEM: nil, clientKeyPEM: nil, verifyPeer: true)

        let client = try HTTPClientConnection.connect(host: "127.0.0.1", port: port, tls: context, deadline: .now + .seconds(10))
        for path in ["/a", "/b", "/missing"] {
            _ = try client.send(HTTPClientRequest(method: "GET", target: path), deadline: .now + .seconds(10))
        }
        #expect(try metrics.expectGauge("azwi_http_open_connections", [("listener", "webhook")]).lastValue == 1)
        let rejected = try TCPConnection.connect(host: "127.0.0.1", port: port, deadline: .now + .seconds(10))  // over the cap of 1
        _ = rejected.readAll()
        client.close()

        // A plain-text client on the TLS port fails its handshake (retry until the slot is free again).
        var failures: Int64 = 0
        for _ in 0..<100 where failures == 0 {
            let plain = try TCPConnection.connect(host: "127.0.0.1", port: port, deadline: .now + .seconds(10))
            try plain.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            _ = plain.readAll()
            failures = (try? metrics.expectCounter("azwi_tls_handshake_failures_total", [("listener", "webhook")]).totalValue) ?? 0
        }
        server.beginShutdown()
        #expect(server.waitUntilStopped(timeout: .seconds(10)))

        #expect(try metrics.expectCounter("azwi_http_requests_total", [("listener", "webhook"), ("code", "200")]).totalValue == 2)
        #expect(try metrics.expectCounter("azwi_http_requests_total", [("listener", "webhook"), ("code", "404")]).totalValue == 1)
        #expect(try metrics.expectCounter("azwi_http_rejected_connections_total", [("listener", "webhook")]).totalValue >= 1)
        #expect(failures >= 1)
        #expect(try metrics.expectGauge("azwi_http_open_connections", [("listener", "webhook")]).lastValue == 0)
    }

    @Test func aPlainHTTPListenerHasNoHandshakeFailureSeries() throws {
        let metrics = TestMetrics()
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, name: "metrics"),
            handler: ClosureHandler { _ in HTTPResponse(status: 200) }, logger: silentLogger, metricsFactory: metrics)
        #expect(throws: (any Error).self) { try metrics.expectCounter("azwi_tls_handshake_failures_total", [("listener", "metrics")]) }
        #expect(try metrics.expectGauge("azwi_http_open_connections", [("listener", "metrics")]).lastValue == 0)
        _ = server
    }
}
