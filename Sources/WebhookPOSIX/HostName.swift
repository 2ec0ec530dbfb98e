/// Host names as they appear in URLs and listen addresses, turned into what `getaddrinfo` takes.
///
/// Why it exists: an IPv6 literal is written `[::1]` in a URL, a kubeconfig server or a listen
/// address, but name resolution wants `::1`; the listener, the TCP client, the in-cluster
/// connection and the executable's listen address all strip the brackets the same way, here.
public enum HostName {
    /// `host` without the brackets around an IPv6 literal (`"[::1]"` → `"::1"`); anything else unchanged.
    public static func unbracketed(_ host: String) -> String {
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return host
    }
}
