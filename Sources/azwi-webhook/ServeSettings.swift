import Admission
import CertificateRotation
import KubeClient
import WebhookTLS

/// Everything `serve` needs to run, resolved and checked from flags, environment and files
/// before any listener is bound.
struct ServeSettings {
    var admission: AdmissionConfig
    var serviceAccounts: any ServiceAccountSource
    /// The cluster's Kubernetes version facts, known at once without a cluster, else discovered.
    var features: ClusterFeatures
    /// The watch-based ServiceAccount cache behind `serviceAccounts`, with a cluster: started with
    /// the other components, not before.
    var serviceAccountCache: ServiceAccountCache?
    var webhook: ListenAddress
    var health: ListenAddress
    var metrics: ListenAddress
    /// Where `tls.crt` and `tls.key` are read (and re-read on change).
    var certificateDirectory: String
    var certificateCheckInterval: Duration
    var minimumTLSVersion: TLSVersion
    var handshakeTimeout: Duration
    var headerTimeout: Duration
    var bodyTimeout: Duration
    var idleTimeout: Duration
    var maxConnections: Int
    /// The API server and what to do with certificates there; `nil` without a cluster.
    var cluster: ClusterCertificates?
    /// Pod repair's settings; nil when `--repair=off` or without a cluster.
    var repair: RepairSettings?
    /// The temporary certificate directory `--dev` made, removed at exit; nil outside dev mode.
    var devCertificateDirectory: String?
}

/// The certificate work done against the API server: built-in rotation, or (with
/// `--disable-cert-rotation`) only watching the MutatingWebhookConfiguration's caBundle.
struct ClusterCertificates {
    let client: KubeAPIClient
    /// The name the API server dials, `<service>.<namespace>.svc`: what the caBundle must verify.
    let hostName: String
    let webhookConfigurationName: String
    /// Built-in rotation's settings; `nil` with `--disable-cert-rotation`.
    let rotation: CertificateRotationSettings?
}
