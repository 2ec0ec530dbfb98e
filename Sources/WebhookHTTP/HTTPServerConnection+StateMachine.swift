extension HTTPServerConnection {
    /// The decisions of one server connection, with no sockets and no clock.
    ///
    /// How long each wait may last, when keep-alive ends, when a stalled client gets a 408 and
    /// when shutdown closes a connection are all decided here. ``HTTPServerConnection`` reports
    /// what happened as an ``Event``, with the time and whether shutdown has begun, and does what
    /// the returned ``Action`` says: the I/O loop holds no policy, and tests go through hours of
    /// timeouts in microseconds. The request parser lives inside, since its events are what most
    /// decisions are about. The model is hummingbird's `HTTPConnectionStateHandler`.
    ///
    /// Times are durations since the connection began, on the connection's `ContinuousClock`:
    /// `ContinuousClock.Instant` is not a frozen type, and holding it in the machine's state and
    /// actions made every request pay for runtime layout calls (about 1,900 instructions, 7 % of
    /// parsing and deciding on a 5 KB AdmissionReview request, measured with cachegrind). The
    /// loop converts at its edge.
    struct StateMachine {
        /// A point in time: how long after the connection began.
        typealias Time = Duration

        /// What happened since the last action.
        enum Event {
            /// The connection is ready for its first request (the TLS handshake is done).
            case connected
            /// A read returned these bytes (the machine copies them before `handle` returns).
            case received(UnsafeRawBufferPointer)
            /// A read returned no bytes.
            case readEnded(ReadEnd)
            /// After `closeUnlessInputWaiting`: a request is already waiting.
            case inputWaiting
            /// After `sendContinue`: "100 Continue" was written.
            case continueSent
            /// After `respond`: the response was written.
            case responseWritten
        }

        /// Why a read returned no bytes.
        enum ReadEnd {
            /// The client closed its side.
            case endOfStream
            /// The read's deadline passed.
            case timedOut
            /// Shutdown began during a wait with `wakeOnShutdown`.
            case interrupted
            /// The connection broke.
            case failed
        }

        /// What the connection does next; each action says which event it reports afterwards.
        enum Action {
            /// Read under `deadline`, then report `.received` or `.readEnded`. With
            /// `wakeOnShutdown` the wait ends early (`.interrupted`) when shutdown begins: only a
            /// connection between requests may be dropped that way.
            case read(deadline: Time, wakeOnShutdown: Bool)
            /// Shutdown found the connection between requests: close it, unless a request has
            /// already arrived (in TLS or socket buffers); then report `.inputWaiting`.
            case closeUnlessInputWaiting
            /// Write "100 Continue" under `writeDeadline(now:)`, then report `.continueSent`.
            case sendContinue
            /// Run the handler, ask `closesAfterResponse(shuttingDown:)`, write the response under
            /// `writeDeadline(now:)` (with `Connection: close` when it closes, `keep-alive` when
            /// `announceKeepAlive`), then report `.responseWritten`.
            case respond(HTTPRequest, announceKeepAlive: Bool)
            /// Answer with this status and reason, drain what the client still sends until
            /// `lingerDeadline(now:)`, and close: the request's framing is lost.
            case refuse(status: Int, reason: String)
            /// Close the connection.
            case close
        }

        private enum State {
            /// Before `.connected`.
            case connecting
            /// Reading and answering requests. `phase` is the parser's phase as last seen after
            /// a read or a response; the wait's deadline restarts when it changes.
            case serving(phase: HTTPRequestParser.Phase, deadline: Time)
            /// A request is being answered; `keepAlive` is whether another may follow.
            case responding(keepAlive: Bool)
            case closed
        }

        /// How long an error response may take to reach a client that is still sending: it is
        /// drained this long, so the close does not reset the connection under the response.
        static let linger = Duration.seconds(2)

        private var parser: HTTPRequestParser
        private var state = State.connecting
        private let headerTimeout: Duration
        private let bodyTimeout: Duration
        private let idleTimeout: Duration
        private let writeTimeout: Duration

        init(configuration: HTTPServerConfiguration) {
            parser = HTTPRequestParser(limits: .init(maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes))
            headerTimeout = configuration.headerTimeout
            bodyTimeout = configuration.bodyTimeout
            idleTimeout = configuration.idleTimeout
            writeTimeout = configuration.writeTimeout
        }

        /// The deadline of a write that starts at `now`.
        func writeDeadline(now: Time) -> Time { now + writeTimeout }

        /// The end of the drain after a `refuse` response written at `now`.
        func lingerDeadline(now: Time) -> Time { now + Self.linger }

        /// Takes in what happened and decides what to do next.
        ///
        /// - Parameters:
        ///   - now: when the event happened; deadlines are counted from it.
        ///   - shuttingDown: whether the server has begun to shut down.
        mutating func handle(_ event: Event, now: Time, shuttingDown: Bool) -> Action {
            if case .closed = state { return .close }
            switch event {
            case .connected:
                guard case .connecting = state else { preconditionFailure("connected twice") }
                // No request yet: the header timeout, not the (longer) keep-alive one, applies.
                state = .serving(phase: .idle, deadline: now + headerTimeout)
            case let .received(bytes):
                guard case let .serving(phase, _) = state else { preconditionFailure("bytes received while not reading") }
                parser.append(bytes)
                let newPhase = parser.phase
                if newPhase != phase {
                    state = .serving(phase: newPhase, deadline: now + (newPhase == .body ? bodyTimeout : headerTimeout))
                }
            case let .readEnded(end):
                guard case .serving = state else { preconditionFailure("a read ended while not reading") }
                // Nothing was parsed since the read began, so the parser's phase is the wait's.
                let betweenRequests = parser.phase == .idle
                switch end {
                case .interrupted where betweenRequests:
                    break  // shutdown began: decide again below
                case .timedOut where !betweenRequests:
                    state = .closed
                    return .refuse(status: 408, reason: "request timeout")
                default:
                    state = .closed  // end of stream, broken, or a timeout between requests
                    return .close
                }
            case .inputWaiting:
                guard case let .serving(_, deadline) = state else { preconditionFailure("input waiting while not reading") }
                return .read(deadline: deadline, wakeOnShutdown: false)
            case .continueSent:
                guard case .serving = state else { preconditionFailure("100 Continue sent while not reading") }
            case .responseWritten:
                guard case let .responding(keepAlive) = state else { preconditionFailure("a response written while not responding") }
                guard keepAlive else {
                    state = .closed
                    return .close
                }
                let phase = parser.phase
                state = .serving(phase: phase, deadline: now + (phase == .idle ? idleTimeout : headerTimeout))
            }
            return advance(shuttingDown: shuttingDown)
        }

        /// Asks the parser for its next event and turns it into an action.
        private mutating func advance(shuttingDown: Bool) -> Action {
            guard case let .serving(_, deadline) = state else { preconditionFailure("parsing while not reading") }
            switch parser.next() {
            case .needMore:
                let betweenRequests = parser.phase == .idle
                if betweenRequests, shuttingDown { return .closeUnlessInputWaiting }
                return .read(deadline: deadline, wakeOnShutdown: betweenRequests)
            case .sendContinue:
                return .sendContinue
            case let .failure(status, reason):
                state = .closed
                return .refuse(status: status, reason: reason)
            case let .request(request, keepAlive, announceKeepAlive):
                state = .responding(keepAlive: keepAlive)
                return .respond(request, announceKeepAlive: announceKeepAlive)
            }
        }

        /// Whether the response being answered is the connection's last.
        ///
        /// Asked once the handler has returned, so that a shutdown that began while it ran still
        /// closes the connection after this response.
        mutating func closesAfterResponse(shuttingDown: Bool) -> Bool {
            guard case let .responding(keepAlive) = state else { preconditionFailure("no response being answered") }
            let close = !keepAlive || shuttingDown
            state = .responding(keepAlive: !close)
            return close
        }
    }
}
