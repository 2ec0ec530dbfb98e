import Foundation
import Synchronization
import Testing
import WebhookHTTP
import WebhookPOSIX
import WebhookTLS

@Suite(.serialized) struct HTTPServerTests {
    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let test = try TestServer(tls: false)
        defer { test.stop() }
        let raw = try test.raw()
        try raw.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcHEAD /3 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let text = raw.readAll()
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nGET /1 0\n"
            + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nPOST /2 3\nabc"
            + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n"  // HEAD: length of the GET body, no body
            + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nGET /4 0\n")
    }

    @Test func expectContinueGetsAnInterimResponseThenTheAnswer() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let stream = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        defer { stream.close() }
        try stream.send("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(stream.read(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
        try stream.send("body")
        #expect(stream.read(until: "body").hasSuffix("\r\n\r\nPOST /m 4\nbody"))
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: a\r\n\r\n", 411),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000000\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: {17000 bytes}\r\n\r\n", 431),
        ("NOT HTTP AT ALL\r\n\r\n", 400),
    ])
    func refusedRequestsGetTheirStatusAndTheConnectionCloses(_ wire: String, _ status: Int) throws {
        let test = try TestServer(tls: false)
        defer { test.stop() }
        let raw = try test.raw()
        let expanded = wire.replacingOccurrences(of: "{17000 bytes}", with: String(repeating: "y", count: 17_000))
        try raw.send(expanded + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n")
        let text = raw.readAll()
        #expect(text.hasPrefix("HTTP/1.1 \(status) "))
        #expect(text.contains("Connection: close\r\n"))
        #expect(!text.contains("/after"))
    }

    @Test func chunkedRequestBodyReachesTheHandler() throws {
        let test = try TestServer(tls: false)
        defer { test.stop() }
        let raw = try test.raw()
        try raw.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        #expect(raw.readAll().hasSuffix("POST /c 5\nabcde"))
    }

    @Test func largeBodiesAreGzippedOnlyForClientsThatAcceptIt() throws {
        let payload = Array(String(repeating: "patch-operation ", count: 5_000).utf8)  // 80 KB: over gzipMinimumBytes
        let test = try TestServer(tls: true, handler: ClosureHandler { _ in HTTPResponse(status: 200, body: payload) })
        defer { test.stop() }
        let client = try test.connect()
        let zipped = try client.send(HTTPClientRequest(method: "GET", target: "/", headers: ["Accept-Encoding": "gzip"]), deadline: .now + .seconds(10))
        #expect(zipped.headers["Content-Encoding"] == "gzip")
        #expect(zipped.headers["Vary"] == "Accept-Encoding")
        #expect(zipped.body.count < payload.count)
        #expect(gunzip(zipped.body) == payload)
        let plain = try client.send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(10))
        #expect(plain.headers["Content-Encoding"] == nil)
        #expect(plain.body == payload)
    }

    @Test func admissionSizedBodiesAreNotCompressedByDefault() throws {
        let payload = Array(String(repeating: "patch-operation ", count: 250).utf8)  // 4 KB, an admission answer's size
        let test = try TestServer(tls: false, handler: ClosureHandler { _ in HTTPResponse(status: 200, body: payload) })
        defer { test.stop() }
        let response = try test.connect().send(HTTPClientRequest(method: "GET", target: "/", headers: ["Accept-Encoding": "gzip"]),
                                               deadline: .now + .seconds(10))
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(response.body == payload)
    }

    @Test func smallBodiesAreNotCompressed() throws {
        let test = try TestServer(tls: false)
        defer { test.stop() }
        let response = try test.connect().send(HTTPClientRequest(method: "GET", target: "/", headers: ["Accept-Encoding": "gzip"]),
                                               deadline: .now + .seconds(10))
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "GET / 0\n")
    }

    @Test func shutdownLetsTheRequestInFlightFinishWithConnectionClose() throws {
        let entered = try WakePipe()
        let release = try WakePipe()
        let test = try TestServer(tls: true, handler: ClosureHandler { request in
            if request.path == "/slow" {
                entered.signal()
                _ = release.wait(until: .now + .seconds(20))
            }
            return HTTPResponse(status: 200, body: Array("done".utf8))
        })
        let idle = try test.connect()
        #expect(try idle.send(HTTPClientRequest(method: "GET", target: "/fast"), deadline: .now + .seconds(10)).status == 200)
        let inFlight = try Background { () throws -> HTTPClientResponse in
            try test.connect().send(HTTPClientRequest(method: "POST", target: "/slow", body: [1]), deadline: .now + .seconds(20))
        }
        #expect(entered.wait(until: .now + .seconds(10)))
        test.server.beginShutdown()
        #expect(throws: (any Error).self) {  // the listener is closed
            try TCPConnection.connect(host: "127.0.0.1", port: test.port, deadline: .now + .seconds(5))
        }
        #expect(!test.server.waitUntilStopped(timeout: .milliseconds(100)))  // the slow request holds it open
        release.signal()
        let response = try #require(inFlight.wait()).get()
        #expect(response.status == 200)
        #expect(response.headers["Connection"] == "close")
        #expect(String(decoding: response.body, as: UTF8.self) == "done")
        #expect(test.server.waitUntilStopped(timeout: .seconds(10)))
        #expect(test.server.openConnections == 0)
        #expect(!idle.isReusable || (try? idle.send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(5))) == nil)
    }

    @Test func connectionsBeyondTheCapAreClosedAtOnce() throws {
        let test = try TestServer(tls: false) { $0.maxConnections = 2 }
        defer { test.stop() }
        let first = try test.connect()
        let second = try test.connect()
        #expect(try first.send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(10)).status == 200)
        #expect(try second.send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(10)).status == 200)
        let third = try test.raw()
        try? third.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(third.readAll() == "")
        first.close()
        // Once a slot frees up, new connections are served again (bounded retries: the close is asynchronous).
        var served = false
        for _ in 0..<100 where !served {
            served = (try? test.connect().send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(5)).status) == 200
            if !served { _ = try WakePipe().wait(until: .now + .milliseconds(20)) }
        }
        #expect(served)
    }

    @Test func aStalledClientDoesNotDelayAnother() throws {
        let test = try TestServer(tls: true)
        defer { test.stop() }
        let stalled = try TLSConnection.connect(host: "127.0.0.1", port: test.port, context: try test.clientContext(), deadline: .now + .seconds(10))
        defer { stalled.close() }
        try stalled.send("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part of the body")
        let stalledTCP = try test.raw()  // and one that never even starts the handshake
        defer { stalledTCP.close() }
        for index in 0..<5 {
            let response = try test.connect().send(HTTPClientRequest(method: "GET", target: "/\(index)"), deadline: .now + .seconds(10))
            #expect(response.status == 200)
        }
        #expect(test.server.openConnections >= 2)
    }

    @Test func aClientThatStopsMidHeadGets408AfterTheHeaderTimeout() throws {
        let test = try TestServer(tls: false) { $0.headerTimeout = .milliseconds(200) }
        defer { test.stop() }
        let raw = try test.raw()
        try raw.send("GET / HTTP/1.1\r\nHost:")
        #expect(raw.readAll().hasPrefix("HTTP/1.1 408 "))
    }

    @Test func idleConnectionsCloseOnTimeoutAndOnShutdown() throws {
        let test = try TestServer(tls: false) { $0.idleTimeout = .milliseconds(200) }
        let raw = try test.raw()
        try raw.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(raw.readAll().hasSuffix("GET / 0\n"))  // answered, then closed by the idle timeout

        let idle = try test.connect()
        #expect(try idle.send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(10)).status == 200)
        let waiting = try test.raw()  // no request yet: waits under the header timeout (10 s)
        test.server.beginShutdown()
        #expect(waiting.readAll() == "")
        #expect(test.server.waitUntilStopped(timeout: .seconds(10)))
    }

    @Test func anEmptyHostListensOnIPv4AndIPv6() throws {
        let server = try HTTPServer(configuration: HTTPServerConfiguration(host: "", port: 0, tls: nil), handler: echoHandler, logger: silentLogger)
        let port = try server.start()
        defer {
            server.beginShutdown()
            _ = server.waitUntilStopped(timeout: .seconds(10))
        }
        for host in ["127.0.0.1", "::1"] {
            guard let connection = try? HTTPClientConnection.connect(host: host, port: port, tls: nil, deadline: .now + .seconds(10)) else {
                #expect(host == "::1", "IPv4 must always work; IPv6 only where the host has it")
                continue
            }
            #expect(try connection.send(HTTPClientRequest(method: "GET", target: "/"), deadline: .now + .seconds(10)).status == 200)
        }
    }

    @Test func startReportsAnAddressInUse() throws {
        let test = try TestServer(tls: false)
        defer { test.stop() }
        let second = try HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: test.port, tls: nil), handler: echoHandler,
                                    logger: silentLogger)
        #expect {
            try second.start()
        } throws: { error in
            "\(error)".contains("bind(127.0.0.1:\(test.port))") && "\(error)".contains("in use")
        }
        second.beginShutdown()
        #expect(second.waitUntilStopped(timeout: .seconds(1)))
    }

    @Test func clientStreamsLinesAsTheyArrive() throws {
        let test = try TestServer(tls: false, handler: ClosureHandler { _ in
            HTTPResponse(status: 200, body: Array("{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\npartial".utf8))
        })
        defer { test.stop() }
        let client = try test.connect()
        let head = try client.startStreaming(HTTPClientRequest(method: "GET", target: "/watch"), deadline: .now + .seconds(10))
        #expect(head.status == 200)
        var lines: [String] = []
        while let line = try client.readLine(deadline: .now + .seconds(10)) { lines.append(String(decoding: line, as: UTF8.self)) }
        #expect(lines == [#"{"type":"ADDED"}"#, #"{"type":"MODIFIED"}"#, "partial"])
        #expect(client.isReusable)
        #expect(try client.send(HTTPClientRequest(method: "GET", target: "/again"), deadline: .now + .seconds(10)).status == 200)
    }
}

@Suite(.serialized) struct HTTP10ServerTests {
    @Test func http10KeepAliveClientsAreToldAndServedOnOneConnection() throws {
        let test = try TestServer(tls: false)
        defer { test.stop() }
        let raw = try test.raw()
        try raw.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(raw.read(until: "GET /a 0\n").contains("Connection: keep-alive\r\n"))
        try raw.send("GET /b HTTP/1.0\r\n\r\n")
        let last = raw.readAll()  // no keep-alive asked: answered, then closed
        #expect(last.hasSuffix("GET /b 0\n"))
        #expect(last.contains("Connection: close\r\n"))
    }
}
