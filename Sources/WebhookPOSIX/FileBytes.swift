#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads with POSIX calls, for certificates, keys, kubeconfigs and tokens (small
/// files, cold path).
public enum FileBytes {
    /// The bytes of the file at `path` (symbolic links followed), at most 16 MiB.
    public static func read(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .failed("open(\(path))") }
        defer { _ = close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .failed("read(\(path))")
            }
            if n == 0 { return result }
            result.append(contentsOf: chunk[0..<n])
            if result.count > 16 << 20 { throw .invalidArgument("\(path) is larger than 16 MiB") }
        }
    }
}
