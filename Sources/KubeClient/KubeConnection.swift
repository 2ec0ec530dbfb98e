/// Where the Kubernetes API server is and how to reach it: the resolved result of a kubeconfig
/// or of the in-cluster environment, with every file already read (except a token file, which
/// is re-read as it rotates).
///
/// Load it once at start with ``load(kubeconfigPath:environment:inClusterRoot:)``; a kubeconfig
/// using something this client cannot do (exec plugins, auth providers, basic auth, proxies)
/// fails here with a clear message instead of failing every request later.
public struct KubeConnection: Sendable, Equatable {
    /// The server's host name or IP address (no brackets around IPv6).
    public var host: String
    public var port: Int
    /// The name the server certificate must carry when it differs from `host` (`tls-server-name`).
    public var tlsServerName: String?
    /// The certificate authorities to trust (PEM); `nil` uses the system store.
    public var trustedCAPEM: [UInt8]?
    /// `insecure-skip-tls-verify`: accept any server certificate.
    public var insecureSkipTLSVerify: Bool
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var credential: KubeCredential?
    /// The namespace of the context, or of the pod when in cluster.
    public var namespace: String?
    /// Where this came from, for logs ("kubeconfig /path, context kind-kind" or "in-cluster").
    public var origin: String

    public init(
        host: String, port: Int, tlsServerName: String? = nil, trustedCAPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        credential: KubeCredential? = nil, namespace: String? = nil, origin: String
    ) {
        self.host = host
        self.port = port
        self.tlsServerName = tlsServerName
        self.trustedCAPEM = trustedCAPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.credential = credential
        self.namespace = namespace
        self.origin = origin
    }

    /// The default directory of a pod's ServiceAccount token, CA and namespace.
    public static let inClusterRoot = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Finds the API server the standard way: `kubeconfigPath` (a `--kubeconfig` flag), then
    /// `$KUBECONFIG` (its first existing entry), then the in-cluster environment.
    ///
    /// - Parameters:
    ///   - kubeconfigPath: an explicit kubeconfig file, or `nil`/empty.
    ///   - environment: the process environment (`KUBECONFIG`, `KUBERNETES_SERVICE_HOST`, `…_PORT`).
    ///   - inClusterRoot: where the ServiceAccount token, `ca.crt` and `namespace` are mounted.
    /// - Throws: `KubeClientError.configuration` naming what is missing or unsupported.
    public static func load(
        kubeconfigPath: String?, environment: [String: String], inClusterRoot: String = KubeConnection.inClusterRoot
    ) throws(KubeClientError) -> KubeConnection {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            return try fromKubeconfig(path: kubeconfigPath)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            guard let path = paths.first(where: KubeFiles.exists) else {
                throw .configuration("no file of KUBECONFIG=\(list) exists")
            }
            return try fromKubeconfig(path: path)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment, root: inClusterRoot)
        }
        throw .configuration("no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a pod (KUBERNETES_SERVICE_HOST)")
    }

    /// The `Host` field value: host and port, IPv6 literals in brackets.
    var hostField: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return "\(name):\(port)"
    }

    /// Splits a kubeconfig `server` URL ("https://host:port", "https://[::1]:6443") into host and port.
    ///
    /// - Throws: `KubeClientError.configuration` for another scheme, a path, a host that is not a
    ///   DNS name, IPv4 address or bracketed IPv6 literal, or a port outside 1…65535.
    static func parseServer(_ server: String) throws(KubeClientError) -> (host: String, port: Int) {
        guard server.hasPrefix("https://") else {
            throw .configuration("server \(server) is not an https:// URL")
        }
        var rest = Substring(server.dropFirst("https://".count))
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else {
                throw .configuration("server \(server) has a path; API path prefixes are not supported")
            }
            rest = rest[..<slash]
        }
        var host: Substring
        var portText: Substring?
        let bracketed = rest.hasPrefix("[")
        if bracketed {
            guard let close = rest.firstIndex(of: "]") else { throw .configuration("server \(server) has an unclosed [") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw .configuration("server \(server) is not host:port")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .configuration("server \(server) has no host") }
        // The host goes into every request's Host field: a DNS name or IPv4 address, or an IPv6
        // literal in brackets, never anything that could break the request head.
        let allowed = bracketed ? "0123456789abcdefABCDEF:." : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
        guard host.allSatisfy({ allowed.contains($0) }), !bracketed || host.contains(":") else {
            throw .configuration("server \(server) has an invalid host")
        }
        guard let port = portText.map({ Int($0) }) ?? 443, (1...65535).contains(port) else {
            throw .configuration("server \(server) has an invalid port")
        }
        return (String(host), port)
    }
}
