// Compiled in one module with the kubeconfig reader's sources; YAML is a library (see scripts/fuzz).

/// Fuzzes the kubeconfig reader (`KubeConnection.fromKubeconfig(bytes:…)`) over libyaml: any
/// bytes either fail with a non-empty configuration message or resolve to a usable connection —
/// a host, a port in 1…65535, a client certificate only with its key, a non-empty token — whose
/// `Host` field value reads back as the same host and port. Relative file paths resolve under a
/// directory that does not exist, so they fail as unreadable files.
@_cdecl("LLVMFuzzerTestOneInput")
public func kubeconfigFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let connection: KubeConnection
    do {
        connection = try KubeConnection.fromKubeconfig(bytes: Array(UnsafeBufferPointer(start: data, count: size)), directory: "/nonexistent-azwi-fuzz")
    } catch {
        guard case let .configuration(message) = error else { fatalError("invariant failed: not a configuration error: \(error)") }
        require(!message.isEmpty, "a configuration error without a message")
        return 0
    }
    require(!connection.host.isEmpty && (1...65535).contains(connection.port), "bad host or port: \(connection.host) \(connection.port)")
    require((connection.clientCertificatePEM == nil) == (connection.clientKeyPEM == nil), "a client certificate without its key")
    if case let .token(token) = connection.credential { require(!token.isEmpty, "an empty token") }
    do {
        let (host, port) = try KubeConnection.parseServer("https://" + connection.hostField)
        require(host == connection.host && port == connection.port, "Host \(connection.hostField) reads back as \(host) \(port)")
    } catch {
        fatalError("invariant failed: Host \(connection.hostField) does not read back: \(error)")
    }
    return 0
}
