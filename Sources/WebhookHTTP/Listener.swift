import WebhookTLS
#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening TCP socket (close-on-exec, address reuse, backlog 1024).
struct Listener {
    let fd: Int32
    let port: Int

    /// Binds `host:port`; an empty host, "0.0.0.0" or "::" listen on every address.
    static func open(host: String, port: Int) throws(TLSError) -> Listener {
        guard (0...65535).contains(port) else { throw .invalidConfiguration("port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let rc = getaddrinfo(name.isEmpty ? nil : name, String(port), &hints, &list)
        guard rc == 0, let info = list else {
            throw .system(operation: "getaddrinfo(\(host))", errno: rc, message: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if info.pointee.ai_family == AF_INET6 {
            var zero: Int32 = 0  // "::" also accepts IPv4
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = TLSError.system("bind(\(host):\(port))")
            close(fd)
            throw error
        }
        guard listen(fd, 1024) == 0 else {
            let error = TLSError.system("listen(\(host):\(port))")
            close(fd)
            throw error
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0 else {
            let error = TLSError.system("getsockname")
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
