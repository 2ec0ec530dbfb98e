@testable import KubeClient
import Logging
import Synchronization

/// A `KubeTransport` that answers from a script and records every target it was asked for.
final class ScriptedTransport: KubeTransport {
    enum WatchReply: Sendable {
        /// Deliver these lines, then finish with `end` (or throw `failure`).
        case stream([String], end: KubeWatchEnd = .ended, failure: KubeClientError? = nil)
        case refused(Int, String)
    }

    private struct State {
        var gets: [Result<KubeResponse, KubeClientError>] = []
        var watches: [WatchReply] = []
        var getTargets: [String] = []
        var watchTargets: [String] = []
    }

    private let state = Mutex(State())

    func queueGet(_ status: Int, _ body: String) {
        state.withLock { $0.gets.append(.success(KubeResponse(status: status, body: Array(body.utf8)))) }
    }

    func queueGetFailure(_ error: KubeClientError) {
        state.withLock { $0.gets.append(.failure(error)) }
    }

    func queueWatch(_ reply: WatchReply) {
        state.withLock { $0.watches.append(reply) }
    }

    var getTargets: [String] { state.withLock { $0.getTargets } }
    var watchTargets: [String] { state.withLock { $0.watchTargets } }

    func get(_ target: String, deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse {
        let reply = state.withLock { state -> Result<KubeResponse, KubeClientError> in
            state.getTargets.append(target)
            return state.gets.isEmpty ? .failure(.transport("script exhausted")) : state.gets.removeFirst()
        }
        return try reply.get()
    }

    /// Answers from the same queue as `get`; the target is recorded as "METHOD target" with the body.
    func write(_ method: String, _ target: String, contentType: String, body: [UInt8], deadline: ContinuousClock.Instant) throws(KubeClientError) -> KubeResponse {
        let reply = state.withLock { state -> Result<KubeResponse, KubeClientError> in
            state.getTargets.append("\(method) \(target) \(contentType) \(String(decoding: body, as: UTF8.self))")
            return state.gets.isEmpty ? .failure(.transport("script exhausted")) : state.gets.removeFirst()
        }
        return try reply.get()
    }

    func watch(_ target: String, deadline: ContinuousClock.Instant, onLine: ([UInt8]) -> Bool) throws(KubeClientError) -> KubeWatchEnd {
        let reply = state.withLock { state -> WatchReply in
            state.watchTargets.append(target)
            return state.watches.isEmpty ? .stream([], failure: .transport("script exhausted")) : state.watches.removeFirst()
        }
        switch reply {
        case let .refused(status, body):
            return .refused(KubeResponse(status: status, body: Array(body.utf8)))
        case let .stream(lines, end, failure):
            for line in lines where !onLine(Array(line.utf8)) { return .stopped }
            if let failure { throw failure }
            return end
        }
    }
}

/// JSON builders for scripted responses.
enum Wire {
    static func serviceAccount(_ namespace: String, _ name: String, rv: Int, clientID: String? = nil) -> String {
        let annotations = clientID.map { #","annotations":{"azure.workload.identity/client-id":"\#($0)","other":"x"}"# } ?? ""
        return #"{"metadata":{"name":"\#(name)","namespace":"\#(namespace)","resourceVersion":"\#(rv)"\#(annotations)},"secrets":[]}"#
    }

    static func list(rv: Int, continue token: String? = nil, _ items: [String]) -> String {
        let next = token.map { #","continue":"\#($0)""# } ?? ""
        return #"{"kind":"ServiceAccountList","metadata":{"resourceVersion":"\#(rv)"\#(next)},"items":[\#(items.joined(separator: ","))]}"#
    }

    static func event(_ type: String, _ object: String) -> String {
        #"{"type":"\#(type)","object":\#(object)}"#
    }

    static func bookmark(rv: Int) -> String {
        event("BOOKMARK", #"{"kind":"ServiceAccount","metadata":{"resourceVersion":"\#(rv)"}}"#)
    }

    static func status(_ code: Int, _ reason: String) -> String {
        #"{"kind":"Status","status":"Failure","message":"\#(reason) happened","reason":"\#(reason)","code":\#(code)}"#
    }
}

extension Logger {
    /// A logger that drops everything: expected failures would otherwise flood the test output.
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
