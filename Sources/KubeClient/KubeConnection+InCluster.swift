import WebhookPOSIX

extension KubeConnection {
    /// The API server as seen from inside a pod: `KUBERNETES_SERVICE_HOST`/`_PORT`, the mounted
    /// ServiceAccount token (re-read as it rotates), `ca.crt` and `namespace` under `root`.
    ///
    /// - Throws: `KubeClientError.configuration` when the variables or the token/CA files are missing.
    public static func inCluster(environment: [String: String], root: String = KubeConnection.inClusterRoot) throws(KubeClientError) -> KubeConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let portText = environment["KUBERNETES_SERVICE_PORT"], !portText.isEmpty
        else {
            throw .configuration("in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT")
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .configuration("KUBERNETES_SERVICE_PORT=\(portText) is not a port")
        }
        let tokenPath = KubeFiles.resolve("token", against: root)
        let token = try KubeFiles.read(tokenPath, what: "ServiceAccount token")
        guard !BearerToken.trimmed(token).isEmpty else { throw .configuration("ServiceAccount token \(tokenPath) is empty") }
        let ca = try KubeFiles.read(KubeFiles.resolve("ca.crt", against: root), what: "ServiceAccount CA")
        let namespacePath = KubeFiles.resolve("namespace", against: root)
        let namespace = KubeFiles.exists(namespacePath)
            ? BearerToken.trimmed(try KubeFiles.read(namespacePath, what: "namespace file")) : nil
        return KubeConnection(
            host: HostName.unbracketed(host),
            port: port, trustedCAPEM: ca, credential: .tokenFile(tokenPath),
            namespace: namespace?.isEmpty == false ? namespace : nil, origin: "in-cluster (\(root))"
        )
    }
}
