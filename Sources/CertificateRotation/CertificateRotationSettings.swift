/// Where built-in rotation keeps its certificates and what it writes them for.
public struct CertificateRotationSettings: Sendable {
    /// The webhook's namespace (`$POD_NAMESPACE`).
    public var namespace: String
    /// The Secret holding `ca.crt`, `ca.key`, `tls.crt`, `tls.key`.
    public var secretName = "azure-wi-webhook-server-cert"
    /// The Service the API server calls the webhook through; the certificate names `<service>.<namespace>.svc`.
    public var serviceName = "azure-wi-webhook-webhook-service"
    /// The MutatingWebhookConfiguration whose caBundles rotation keeps set to the CA.
    public var webhookConfigurationName: String
    /// `--webhook-cert-dir`: written to unless it is a mounted Secret volume.
    public var certificateDirectory: String
    /// Time between two full checks when nothing changes (12 h).
    public var checkInterval: Duration = .seconds(12 * 3600)
    /// How long before expiry a certificate is replaced (90 days).
    public var renewBefore: Duration = .seconds(90 * 86_400)
    /// How long start-up keeps retrying the Secret before giving up.
    public var startTimeout: Duration = .seconds(60)

    public init(namespace: String, webhookConfigurationName: String, certificateDirectory: String) {
        self.namespace = namespace
        self.webhookConfigurationName = webhookConfigurationName
        self.certificateDirectory = certificateDirectory
    }

    /// The DNS name in the serving certificate: what the API server dials.
    public var hostName: String { "\(serviceName).\(namespace).svc" }
}
