import KubeClient
import YAML

/// Where doctor reads from: the cluster (``ClusterDoctorSource``) or, offline, a manifest and
/// ServiceAccount files (``ManifestDoctorSource``).
///
/// The checks are written once against this seam; offline, every read only a cluster can answer
/// is `.unavailable(.offline)`, which the checks turn into `skip`.
protocol DoctorSource {
    /// Whether there is no cluster behind this source (`--file`).
    var isOffline: Bool { get }
    /// One object.
    func get(_ resource: KubeResource, namespace: String?, name: String) -> Fetched<YAMLNode>
    /// A namespace's objects of a kind, narrowed by an equality label selector when given.
    func list(_ resource: KubeResource, namespace: String, labelSelector: String?) -> Fetched<[YAMLNode]>
    /// The API server's `/.well-known/openid-configuration`.
    func openIDConfiguration() -> Fetched<YAMLNode>
    /// A token for a ServiceAccount (TokenRequest).
    func token(namespace: String, serviceAccount: String, audience: String, expirationSeconds: Int) -> Fetched<ServiceAccountToken>
}
