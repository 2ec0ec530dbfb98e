/// A blocking, deadline-bounded byte stream: a plain TCP connection or a TLS connection.
///
/// The HTTP server and client speak through this protocol so one code path serves HTTPS, the
/// plain health/metrics listeners and plain-TCP tests. Instances are used by one thread at a time.
public protocol ByteStream: AnyObject {
    /// Reads at least one byte into `buffer`, waiting until `deadline`.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty.
    ///   - deadline: when to give up with `.system(.timedOut)`.
    ///   - wakeFD: a descriptor that, once readable, interrupts the wait with `.system(.interrupted)`
    ///     (the server's shutdown pipe); `nil` for none.
    /// - Returns: the number of bytes read; 0 means the peer closed the stream cleanly.
    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant, wakeFD: Int32?) throws(StreamError) -> Int

    /// Writes every byte of `bytes`, waiting as needed until `deadline`.
    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(StreamError)

    /// Waits until a read would return data or end of stream, without reading: an idle
    /// keep-alive connection sleeps in `poll` instead of paying a read that fails with EAGAIN.
    ///
    /// - Throws: `.system(.timedOut)` at the deadline, `.system(.interrupted)` when `wakeFD` fires first.
    func waitUntilReadable(deadline: ContinuousClock.Instant, wakeFD: Int32?) throws(StreamError)

    /// Whether bytes are already buffered inside the stream (decrypted TLS records), so a read
    /// would not block.
    var hasBufferedInput: Bool { get }

    /// Half-closes, then reads and discards what the peer still sends (up to 1 MiB or `deadline`)
    /// before closing, so an error response written just before is not destroyed by a TCP reset.
    func closeAfterDraining(deadline: ContinuousClock.Instant)

    /// Closes the stream; later calls do nothing.
    func close()
}

extension ByteStream {
    /// Reads without a wake descriptor.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant) throws(StreamError) -> Int {
        try read(into: buffer, deadline: deadline, wakeFD: nil)
    }

    /// Writes every byte of an array.
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError) {
        let failure: StreamError? = bytes.withUnsafeBytes { raw in
            do throws(StreamError) {
                try write(raw, deadline: deadline)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}
