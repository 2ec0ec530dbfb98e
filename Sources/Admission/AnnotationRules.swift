/// How the pod's and the ServiceAccount's annotations are read, with upstream's exact messages
/// where upstream has them.
enum AnnotationRules {
    /// The token lifetime: the pod's annotation if non-empty, else the ServiceAccount's if
    /// non-empty, else 3600; it must be an integer in 3600…86400.
    ///
    /// - Returns: the lifetime in seconds, or the denial message.
    static func tokenExpiration(pod: String?, serviceAccount: String?) -> Result<Int, Denial> {
        let text = [pod, serviceAccount].compactMap { $0 }.first { !$0.isEmpty }
        guard let text else { return .success(WorkloadIdentity.defaultTokenExpiration) }
        let range = WorkloadIdentity.minTokenExpiration...WorkloadIdentity.maxTokenExpiration
        guard isInteger(text) else {
            return .failure(Denial(reason: "invalid-token-expiration", message:
                "token expiration \"\(clip(text))\" not valid. Expected an integer between 3600 and 86400"))
        }
        guard let value = Int(text), range.contains(value) else {
            let shown = Int(text).map(String.init) ?? clip(text)
            return .failure(Denial(reason: "invalid-token-expiration", message:
                "token expiration \(shown) not valid. Expected value to be between 3600 and 86400"))
        }
        return .success(value)
    }

    /// Whether to inject the proxy: `true`/`false`, case-insensitive; absent means false.
    static func injectProxySidecar(_ text: String?) -> Result<Bool, Denial> {
        guard let text else { return .success(false) }
        switch text.lowercased() {
        case "true": return .success(true)
        case "false": return .success(false)
        default:
            return .failure(Denial(reason: "invalid-inject-proxy-sidecar", message:
                "annotation azure.workload.identity/inject-proxy-sidecar is \"\(clip(text))\": expected \"true\" or \"false\""))
        }
    }

    /// The proxy port: absent means 8000; otherwise an integer in 1…65535.
    static func proxyPort(_ text: String?) -> Result<Int, Denial> {
        guard let text else { return .success(WorkloadIdentity.defaultProxyPort) }
        guard isInteger(text), let port = Int(text), (1...65535).contains(port) else {
            return .failure(Denial(reason: "invalid-proxy-sidecar-port", message:
                "annotation azure.workload.identity/proxy-sidecar-port is \"\(clip(text))\": expected a port number between 1 and 65535"))
        }
        return .success(port)
    }

    /// A `;`-separated list of container names, each trimmed; empty names are dropped.
    static func containerNames(_ text: String) -> [String] {
        text.split(separator: ";").compactMap { part in
            guard let first = part.firstIndex(where: { !$0.isWhitespace }),
                  let last = part.lastIndex(where: { !$0.isWhitespace }) else { return nil }
            return String(part[first...last])
        }
    }

    /// Whether `text` is an optionally signed run of ASCII digits (what Go's ParseInt accepts).
    private static func isInteger(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8
        if let first = utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            utf8 = utf8.dropFirst()
        }
        return !utf8.isEmpty && utf8.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
    }

    /// A user-supplied value shortened for a message.
    static func clip(_ text: String, to limit: Int = 64) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 3)) + "..."
    }
}
