import Synchronization
import WebhookPOSIX

/// Watches one object by name, forever, on a thread of its own, and hands every change to a callback.
///
/// Each watch starts without a resourceVersion, so the API server first sends the object as it
/// is now (an `ADDED` event): a caller that re-checks on every event therefore also re-checks
/// after every reconnect and misses nothing while disconnected. Failures (including 403 and 404)
/// go to the callback too, then the watch is retried after a jittered, capped backoff.
public final class NamedObjectWatcher: Sendable {
    /// What the callback hears.
    public enum Event: Sendable {
        /// An ADDED, MODIFIED or DELETED event line (the whole JSON event).
        case changed([UInt8])
        /// The watch failed or was refused; it will be retried.
        case failed(KubeClientError)
    }

    private let transport: any KubeTransport
    private let target: String
    private let timeoutSeconds: Int
    private let onEvent: @Sendable (Event) -> Void
    private let stopSignal: WakePipe
    private let stopped = Atomic<Bool>(false)

    /// - Parameters:
    ///   - collectionPath: the collection the object lives in, e.g. `/api/v1/namespaces/ns/secrets`.
    ///   - name: the object's name (the `metadata.name` field selector).
    ///   - timeoutSeconds: how long each watch request lasts before it is renewed.
    ///   - onEvent: called on the watcher's thread for each event and each failure.
    public init(
        transport: any KubeTransport, collectionPath: String, name: String, timeoutSeconds: Int = 300,
        onEvent: @escaping @Sendable (Event) -> Void
    ) throws(KubeClientError) {
        self.transport = transport
        target = "\(collectionPath)?watch=1&fieldSelector=\(KubePath.escape("metadata.name=\(name)"))&timeoutSeconds=\(timeoutSeconds)"
        self.timeoutSeconds = timeoutSeconds
        self.onEvent = onEvent
        do throws(SystemError) {
            stopSignal = try WakePipe()
        } catch {
            throw .configuration("cannot create the watch's stop signal: \(error)")
        }
    }

    /// Starts watching on a new thread.
    ///
    /// - Throws: `KubeClientError.configuration` when the thread cannot be created.
    public func start() throws(KubeClientError) {
        do throws(SystemError) {
            try OwnedThread.start { [self] in run() }
        } catch {
            throw .configuration("cannot start a watch thread: \(error)")
        }
    }

    /// Stops the watch: no callback after the current one; the thread ends at its next event or wake-up.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        stopSignal.signal()
    }

    private var isStopped: Bool { stopped.load(ordering: .acquiring) }

    private func run() {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
        while !isStopped {
            var events = 0
            var failure: KubeClientError?
            do throws(KubeClientError) {
                let end = try transport.watch(target, deadline: .now + .seconds(timeoutSeconds + 30)) { line in
                    guard !isStopped else { return false }
                    let type: String
                    do throws(KubeClientError) {
                        type = try WatchEventType.decode(line)
                    } catch {
                        failure = error
                        return false
                    }
                    switch type {
                    case "ADDED", "MODIFIED", "DELETED":
                        events += 1
                        onEvent(.changed(line))
                    case "ERROR":
                        failure = .status(code: 0, message: "watch ERROR event: \(String(decoding: line.prefix(300), as: UTF8.self))")
                        return false
                    default:
                        break  // BOOKMARK
                    }
                    return true
                }
                if case let .refused(response) = end {
                    failure = .status(code: response.status, message: response.message)
                } else if end == .ended && events == 0 && failure == nil {
                    failure = .transport("watch \(target) ended at once without an event")
                }
            } catch {
                failure = error
            }
            guard !isStopped else { return }
            if let failure {
                onEvent(.failed(failure))
                if stopSignal.wait(until: .now + backoff.next(jitter: Double.random(in: 0..<1))) { return }
            } else {
                backoff.reset()
            }
        }
    }
}

/// Just the `type` of a watch event line.
enum WatchEventType {
    private struct Wire: Decodable { var type: String }

    static func decode(_ line: [UInt8]) throws(KubeClientError) -> String {
        try KubeJSON.decode(Wire.self, line, what: "watch event").type
    }
}
