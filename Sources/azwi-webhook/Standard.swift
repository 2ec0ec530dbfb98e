#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes to the process's standard output and error, without Foundation's FileHandle.
enum Standard {
    /// Writes bytes to stdout, ending with a newline if they do not.
    static func output(_ bytes: [UInt8]) {
        var bytes = bytes
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        writeAll(bytes, to: STDOUT_FILENO)
    }

    /// Writes one line to stderr.
    static func error(_ line: String) {
        writeAll(Array((line + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes bytes that already end with a newline to stderr, in one `write` (log lines).
    static func errorLine(_ bytes: [UInt8]) {
        writeAll(bytes, to: STDERR_FILENO)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
