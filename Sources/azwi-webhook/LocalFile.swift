import ArgumentParser
import WebhookPOSIX
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the local files the commands are pointed at, with errors that name the file and its purpose.
enum LocalFile {
    /// The whole file's bytes.
    ///
    /// - Parameter purpose: the flag or variable that named the file, for the error message.
    static func read(_ path: String, purpose: String) throws -> [UInt8] {
        guard let bytes = try? FileBytes.read(path) else {
            throw ValidationError("\(purpose): cannot read \(path)")
        }
        return bytes
    }

    /// Whether the path names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
