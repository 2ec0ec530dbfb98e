#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening TCP socket (close-on-exec, address reuse, backlog 1024).
///
/// The HTTP server's acceptor owns `fd` once opened and closes it when it stops.
public struct Listener: Sendable {
    /// The listening socket.
    public let fd: Int32
    /// The bound port (the one the system chose when asked for port 0).
    public let port: Int

    /// Binds `host:port`. An empty host listens on every address, IPv6 and IPv4 (like Go's
    /// `net.Listen(":port")`), falling back to IPv4 only where the kernel has no IPv6.
    public static func open(host: String, port: Int) throws(SystemError) -> Listener {
        guard host.isEmpty else { return try bind(host: host, port: port) }
        do throws(SystemError) {
            return try bind(host: "::", port: port)
        } catch {
            return try bind(host: "0.0.0.0", port: port)
        }
    }

    private static func bind(host: String, port: Int) throws(SystemError) -> Listener {
        guard (0...65535).contains(port) else { throw .invalidArgument("port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let name = HostName.unbracketed(host)
        let rc = getaddrinfo(name, String(port), &hints, &list)
        guard rc == 0, let info = list else {
            throw .failed(operation: "getaddrinfo(\(host))", errno: rc, message: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .failed("socket") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if info.pointee.ai_family == AF_INET6 {
            var zero: Int32 = 0  // "::" also accepts IPv4
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = SystemError.failed("bind(\(host):\(port))")
            close(fd)
            throw error
        }
        guard listen(fd, 1024) == 0 else {
            let error = SystemError.failed("listen(\(host):\(port))")
            close(fd)
            throw error
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0 else {
            let error = SystemError.failed("getsockname")
            close(fd)
            throw error
        }
        let family = address.ss_family
        let boundPort = withUnsafePointer(to: &address) { pointer -> UInt16 in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        return Listener(fd: fd, port: Int(UInt16(bigEndian: boundPort)))
    }
}
