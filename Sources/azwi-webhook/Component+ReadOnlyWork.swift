import CertificateRotation
import KubeClient
import WebhookTLS

// Components whose threads only read (the API server, files) and publish what they read: nothing
// they do must finish before the process exits, so they are stopped the moment they are asked.
// Each one's own `start()` (typed throws, naming what failed) is the component's.

extension ServiceAccountCache: Component {
    var name: String { "ServiceAccount cache" }
    func beginShutdown() { stop() }
    func waitUntilStopped(timeout: Duration) -> Bool { true }
}

extension CertificateReloader: Component {
    var name: String { "certificate directory reloader" }
    func beginShutdown() { stop() }
    func waitUntilStopped(timeout: Duration) -> Bool { true }
}

extension ClusterFeatures: Component {
    var name: String { "cluster version read" }
    func beginShutdown() { stop() }
    func waitUntilStopped(timeout: Duration) -> Bool { true }
}

extension NamedObjectWatcher: Component {
    var name: String { "caBundle watch" }
    func beginShutdown() { stop() }
    func waitUntilStopped(timeout: Duration) -> Bool { true }
}
