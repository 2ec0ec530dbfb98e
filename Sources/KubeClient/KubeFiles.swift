#if canImport(Glibc)
import Glibc
#endif
import WebhookPOSIX

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

    /// The bytes of the file at `path` (symbolic links followed), at most 16 MiB; failures name `what`.
    static func read(_ path: String, what: String) throws(KubeClientError) -> [UInt8] {
        do throws(SystemError) {
            return try FileBytes.read(path)
        } catch .failed(_, _, let message) {
            throw .configuration("cannot read \(what) \(path): \(message)")
        } catch {
            throw .configuration("cannot read \(what) \(path): \(error)")
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
