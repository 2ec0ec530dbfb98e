#if canImport(Glibc)
import Glibc
#endif

/// Small-file reads and change detection with POSIX calls (kubeconfig, CA bundles, token files).
enum KubeFiles {
    /// What identifies one version of a file: a projected token rotates by swapping a symlink,
    /// which changes the inode; an in-place rewrite changes the modification time or size.
    struct Fingerprint: Equatable, Sendable {
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    /// The bytes of the file at `path` (symbolic links followed), at most 16 MiB.
    static func read(_ path: String, what: String) throws(KubeClientError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .configuration("cannot read \(what) \(path): \(String(cString: strerror(errno)))") }
        defer { _ = close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .configuration("cannot read \(what) \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return result }
            result.append(contentsOf: chunk[0..<n])
            if result.count > 16 << 20 { throw .configuration("\(what) \(path) is larger than 16 MiB") }
        }
    }

    /// The file's current fingerprint, or `nil` when it cannot be stat'ed.
    static func fingerprint(_ path: String) -> Fingerprint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Fingerprint(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec
        )
    }

    /// Whether a regular file (or a link to one) exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// `path` resolved against `directory` when it is relative.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// The directory part of `path` ("." for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
