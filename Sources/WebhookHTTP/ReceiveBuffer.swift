/// Bytes a connection has received and its parser has not yet consumed.
///
/// Both HTTP parsers (server and client side) append what each read returns and consume from the
/// front. Consuming only moves `start`; consumed bytes are dropped on the next append, so a
/// pipelined request or a streamed body costs no copy per step.
struct ReceiveBuffer {
    /// The received bytes; those before `start` are consumed and about to be dropped.
    private(set) var bytes: [UInt8] = []
    /// Index in `bytes` of the first unconsumed byte.
    private(set) var start = 0
    /// Bytes consumed since the buffer began: where `start` is in the stream. Unlike `start`, it
    /// does not move when consumed bytes are dropped, so a scan can resume from a stream position.
    private(set) var consumedTotal = 0

    init() {
        bytes.reserveCapacity(Self.initialCapacity)
    }

    /// What the buffer reserves at first and again after releasing a large one.
    private static let initialCapacity = 4096

    /// Bytes received but not yet consumed.
    var count: Int { bytes.count - start }

    /// Bytes the buffer holds room for (tests check that big bodies do not pin memory).
    var capacity: Int { bytes.capacity }

    mutating func append(_ received: UnsafeRawBufferPointer) {
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 64 * 1024 {
            bytes.removeFirst(start)
            start = 0
        }
        bytes.append(contentsOf: received)
    }

    mutating func consume(_ count: Int) {
        start += count
        consumedTotal += count
    }

    /// Consumes `count` bytes and returns them.
    mutating func take(_ count: Int) -> [UInt8] {
        defer { consume(count) }
        return Array(bytes[start..<start + count])
    }

    /// Gives back the storage of a buffer that grew past 64 KiB once everything in it is consumed:
    /// a big body must not stay allocated while the connection idles for minutes.
    mutating func releaseIfLargeAndEmpty() {
        guard start == bytes.count, bytes.capacity > 64 * 1024 else { return }
        bytes = []
        bytes.reserveCapacity(Self.initialCapacity)
        start = 0
    }
}
