import Testing
@testable import WebhookHTTP

/// Drives a connection's state machine with made-up times: no sockets, no sleeping.
private struct Harness {
    typealias Machine = HTTPServerConnection.StateMachine
    var machine: Machine
    var shuttingDown = false

    init() {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil)
        configuration.headerTimeout = .seconds(10)
        configuration.bodyTimeout = .seconds(30)
        configuration.idleTimeout = .seconds(120)
        configuration.writeTimeout = .seconds(5)
        machine = Machine(configuration: configuration)
    }

    /// The event at `seconds` after the connection began, and the action, written out.
    mutating func on(_ event: Machine.Event, at seconds: Int) -> String {
        describe(machine.handle(event, now: .seconds(seconds), shuttingDown: shuttingDown))
    }

    mutating func receive(_ text: String, at seconds: Int) -> String {
        Array(text.utf8).withUnsafeBytes { on(.received($0), at: seconds) }
    }

    /// Answers the request the last action asked for and reports the response written.
    mutating func answer(at seconds: Int, shuttingDownMeanwhile: Bool = false) -> (closes: Bool, next: String) {
        let closes = machine.closesAfterResponse(shuttingDown: shuttingDown || shuttingDownMeanwhile)
        return (closes, on(.responseWritten, at: seconds))
    }

    private func describe(_ action: Machine.Action) -> String {
        switch action {
        case let .read(deadline, wakeOnShutdown):
            "read until \(deadline.components.seconds)s" + (wakeOnShutdown ? ", waking on shutdown" : "")
        case .closeUnlessInputWaiting: "close unless input waits"
        case .sendContinue: "100 Continue"
        case let .respond(request, announceKeepAlive):
            "respond to \(request.method) \(request.target) body=\(request.body.count)" + (announceKeepAlive ? ", announcing keep-alive" : "")
        case let .refuse(status, _): "refuse \(status)"
        case .close: "close"
        }
    }
}

@Suite struct HTTPServerConnectionStateMachineTests {
    @Test func aNewConnectionWaitsForItsFirstRequestUnderTheHeaderTimeout() {
        var harness = Harness()
        #expect(harness.on(.connected, at: 0) == "read until 10s, waking on shutdown")
        #expect(harness.on(.readEnded(.timedOut), at: 10) == "close")  // nothing sent: no 408
    }

    @Test func theHeaderTimeoutRunsFromTheFirstByteOfTheHead() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("GET / HTTP/1.1\r\n", at: 4) == "read until 14s")
        #expect(harness.receive("Host: a\r\n", at: 9) == "read until 14s")  // more of the same head: no new time
        #expect(harness.on(.readEnded(.timedOut), at: 14) == "refuse 408")
        #expect(harness.on(.responseWritten, at: 14) == "close")  // refused for good
    }

    @Test func aBodyGetsTheBodyTimeoutFromItsFirstBytes() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n", at: 1) == "read until 11s")
        #expect(harness.receive("ab", at: 2) == "read until 32s")
        #expect(harness.on(.readEnded(.timedOut), at: 32) == "refuse 408")
    }

    @Test func keepAliveWaitsUnderTheIdleTimeoutFromTheResponse() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("GET /a HTTP/1.1\r\nHost: a\r\n\r\n", at: 1) == "respond to GET /a body=0")
        #expect(harness.answer(at: 2) == (false, "read until 122s, waking on shutdown"))
        #expect(harness.on(.readEnded(.timedOut), at: 122) == "close")
    }

    @Test func pipelinedRequestsAreAnsweredInTurnAndAPartialOneGetsTheHeaderTimeout() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        let two = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nxGET /c HTT"
        #expect(harness.receive(two, at: 1) == "respond to GET /a body=0")
        #expect(harness.answer(at: 2) == (false, "respond to POST /b body=1"))
        #expect(harness.answer(at: 3) == (false, "read until 13s"))
    }

    @Test func theClientsCloseEndsTheConnectionAfterTheResponse() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", at: 1) == "respond to GET / body=0")
        #expect(harness.answer(at: 1) == (true, "close"))
    }

    @Test func anHTTP10ClientThatAsksForKeepAliveIsToldSo() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", at: 1) == "respond to GET / body=0, announcing keep-alive")
        #expect(harness.answer(at: 1) == (false, "read until 121s, waking on shutdown"))
    }

    @Test func shutdownClosesAConnectionBetweenRequestsUnlessARequestIsWaiting() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        _ = harness.receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 1)
        _ = harness.answer(at: 1)
        harness.shuttingDown = true
        #expect(harness.on(.readEnded(.interrupted), at: 50) == "close unless input waits")
        #expect(harness.on(.inputWaiting, at: 50) == "read until 121s")  // no longer wakes: the request is answered
        #expect(harness.receive("GET /last HTTP/1.1\r\nHost: a\r\n\r\n", at: 51) == "respond to GET /last body=0")
        #expect(harness.answer(at: 51) == (true, "close"))
    }

    @Test func aConnectionThatOpensDuringShutdownIsClosedUnlessItsRequestIsWaiting() {
        var harness = Harness()
        harness.shuttingDown = true
        #expect(harness.on(.connected, at: 0) == "close unless input waits")
    }

    @Test func shutdownDuringTheHandlerClosesAfterItsResponse() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", at: 1) == "respond to POST /slow body=1")
        #expect(harness.answer(at: 9, shuttingDownMeanwhile: true) == (true, "close"))
    }

    @Test func shutdownDoesNotInterruptARequestBeingRead() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("POST /m HTTP/1.1\r\n", at: 1) == "read until 11s")  // no wake: the request is answered
        harness.shuttingDown = true
        #expect(harness.receive("Host: a\r\nContent-Length: 1\r\n\r\nx", at: 2) == "respond to POST /m body=1")
        #expect(harness.answer(at: 2) == (true, "close"))
    }

    @Test func expectContinueIsSentThenTheBodyIsReadUnderTheSameDeadline() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n", at: 1) == "100 Continue")
        #expect(harness.on(.continueSent, at: 1) == "read until 11s")
        #expect(harness.receive("ok", at: 3) == "respond to POST /m body=2")
    }

    @Test func aMalformedRequestIsRefusedAndNothingAfterItIsRead() {
        var harness = Harness()
        _ = harness.on(.connected, at: 0)
        #expect(harness.receive("GET / HTTP/1.1\r\nHost : a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 1) == "refuse 400")
        #expect(harness.on(.responseWritten, at: 1) == "close")
    }

    @Test(arguments: [HTTPServerConnection.StateMachine.ReadEnd.endOfStream, .failed])
    func theClientGoingAwayClosesTheConnectionWhateverItWasDoing(_ end: HTTPServerConnection.StateMachine.ReadEnd) {
        var idle = Harness()
        _ = idle.on(.connected, at: 0)
        #expect(idle.on(.readEnded(end), at: 1) == "close")
        var midRequest = Harness()
        _ = midRequest.on(.connected, at: 0)
        _ = midRequest.receive("GET / HTTP/1.1\r\n", at: 1)
        #expect(midRequest.on(.readEnded(end), at: 2) == "close")
    }

    @Test func writesAndTheDrainAfterARefusalHaveTheirOwnDeadlines() {
        let harness = Harness()
        #expect(harness.machine.writeDeadline(now: .seconds(7)) == .seconds(12))
        #expect(harness.machine.lingerDeadline(now: .seconds(7)) == .seconds(9))
    }
}
