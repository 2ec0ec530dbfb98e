import WebhookPOSIX

/// A `host:port` listen address as upstream's flags take it (`:9440`, `127.0.0.1:0`, `[::1]:8095`).
///
/// An empty host means every interface, IPv6 and IPv4, as in Go's `net.Listen`; port 0 asks the
/// system for a free port, which is how the tests run several servers side by side.
struct ListenAddress: Equatable, CustomStringConvertible {
    /// The address to bind: an IPv4 or IPv6 literal, or empty for every interface.
    var host: String
    var port: Int

    /// Parses `value`, naming `flag` in the error.
    init(_ value: String, flag: String) throws(ServeError) {
        guard let colon = value.lastIndex(of: ":") else {
            throw ServeError("\(flag) \"\(value)\" is not valid: expected host:port, e.g. :9440 or 127.0.0.1:0")
        }
        var host = String(value[..<colon])
        let portText = value[value.index(after: colon)...]
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw ServeError("\(flag) \"\(value)\": the port must be a number from 0 to 65535")
        }
        let unbracketed = HostName.unbracketed(host)
        if unbracketed == host, host.contains(":") {
            throw ServeError("\(flag) \"\(value)\": write an IPv6 address in brackets, e.g. [::1]:\(port)")
        }
        host = unbracketed
        if host == "localhost" { host = "127.0.0.1" }
        self.host = host
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
