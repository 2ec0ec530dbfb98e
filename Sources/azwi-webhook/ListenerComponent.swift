import Synchronization
import WebhookHTTP

/// An HTTP listener as a ``Component``: binds at start (a refused address names its flag) and
/// drains at stop.
final class ListenerComponent: Component {
    let name: String
    let server: HTTPServer
    private let address: ListenAddress
    private let flag: String
    private let boundPort = Atomic<Int>(0)

    init(_ server: HTTPServer, name: String, address: ListenAddress, flag: String) {
        self.server = server
        self.name = name
        self.address = address
        self.flag = flag
    }

    /// The port bound at start (0 before).
    var port: Int { boundPort.load(ordering: .acquiring) }

    func start() throws {
        do {
            boundPort.store(try server.start(), ordering: .releasing)
        } catch {
            throw ServeError("\(flag): cannot listen on \(address): \(error)")
        }
    }

    func beginShutdown() { server.beginShutdown() }

    func waitUntilStopped(timeout: Duration) -> Bool { server.waitUntilStopped(timeout: timeout) }
}
