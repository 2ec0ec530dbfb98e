import FoundationEssentials
import YAML

extension KubeConnection {
    /// Reads the kubeconfig at `path` and resolves its current context (or `context`).
    ///
    /// Relative file paths inside it resolve against the kubeconfig's directory.
    /// - Throws: `KubeClientError.configuration` for an unreadable file, a missing context,
    ///   cluster or server, or an unsupported authentication method.
    public static func fromKubeconfig(path: String, context: String? = nil) throws(KubeClientError) -> KubeConnection {
        let bytes = try KubeFiles.read(path, what: "kubeconfig")
        return try fromKubeconfig(bytes: bytes, directory: KubeFiles.directory(of: path), context: context, origin: "kubeconfig \(path)")
    }

    /// Resolves a kubeconfig document already in memory; `directory` anchors relative paths.
    public static func fromKubeconfig(
        bytes: [UInt8], directory: String, context: String? = nil, origin: String = "kubeconfig"
    ) throws(KubeClientError) -> KubeConnection {
        let root: YAMLNode
        do throws(YAMLError) {
            root = try YAMLNode.parse(bytes)
        } catch {
            throw .configuration("\(origin) is not valid YAML: \(error)")
        }
        guard let contextName = context ?? root["current-context"]?.string, !contextName.isEmpty else {
            throw .configuration("\(origin) has no current-context")
        }
        let origin = "\(origin), context \(contextName)"
        guard let contextNode = named(contextName, in: root["contexts"], field: "context") else {
            throw .configuration("\(origin): context \(contextName) is not defined")
        }
        guard let clusterName = contextNode["cluster"]?.string,
              let cluster = named(clusterName, in: root["clusters"], field: "cluster")
        else {
            throw .configuration("\(origin): the context's cluster is not defined")
        }
        guard let server = cluster["server"]?.string else { throw .configuration("\(origin): the cluster has no server") }
        if cluster["proxy-url"]?.string != nil { throw .configuration("\(origin): proxy-url is not supported") }
        let (host, port) = try parseServer(server)

        var connection = KubeConnection(host: host, port: port, origin: origin)
        connection.namespace = contextNode["namespace"]?.string
        connection.tlsServerName = cluster["tls-server-name"]?.string
        connection.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"]?.string == "true"
        connection.trustedCAPEM = try material(cluster, data: "certificate-authority-data", file: "certificate-authority", directory: directory, origin: origin)

        if let userName = contextNode["user"]?.string, !userName.isEmpty {
            guard let user = named(userName, in: root["users"], field: "user") else {
                throw .configuration("\(origin): user \(userName) is not defined")
            }
            try connection.applyUser(user, directory: directory, origin: origin)
        }
        return connection
    }

    private mutating func applyUser(_ user: YAMLNode, directory: String, origin: String) throws(KubeClientError) {
        for unsupported in ["exec", "auth-provider"] where user[unsupported] != nil && user[unsupported]?.isNull == false {
            throw .configuration("\(origin): user authentication with \(unsupported) is not supported; use a token, tokenFile or client certificate")
        }
        if user["username"]?.string != nil || user["password"]?.string != nil {
            throw .configuration("\(origin): basic authentication (username/password) is not supported")
        }
        clientCertificatePEM = try Self.material(user, data: "client-certificate-data", file: "client-certificate", directory: directory, origin: origin)
        clientKeyPEM = try Self.material(user, data: "client-key-data", file: "client-key", directory: directory, origin: origin)
        if (clientCertificatePEM == nil) != (clientKeyPEM == nil) {
            throw .configuration("\(origin): a client certificate needs both client-certificate and client-key")
        }
        // As in client-go, a token file wins over an inline token: it is the one kept fresh.
        if let file = user["tokenFile"]?.string, !file.isEmpty {
            let path = KubeFiles.resolve(file, against: directory)
            _ = try KubeFiles.read(path, what: "token file")
            credential = .tokenFile(path)
        } else if let token = user["token"]?.string, !token.isEmpty {
            credential = .token(token)
        }
    }

    /// The item of a kubeconfig list (`clusters`, `contexts`, `users`) called `name`, unwrapped.
    private static func named(_ name: String, in list: YAMLNode?, field: String) -> YAMLNode? {
        list?.items?.first { $0["name"]?.string == name }?[field]
    }

    /// Inline base64 `data` wins over a `file` path, as in client-go.
    private static func material(
        _ node: YAMLNode, data: String, file: String, directory: String, origin: String
    ) throws(KubeClientError) -> [UInt8]? {
        if let encoded = node[data]?.string, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters), !decoded.isEmpty else {
                throw .configuration("\(origin): \(data) is not base64")
            }
            return [UInt8](decoded)
        }
        if let path = node[file]?.string, !path.isEmpty {
            return try KubeFiles.read(KubeFiles.resolve(path, against: directory), what: file)
        }
        return nil
    }
}
