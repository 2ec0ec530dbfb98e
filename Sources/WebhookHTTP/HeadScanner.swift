/// Finds where an HTTP/1.x head ends, for requests and responses alike.
///
/// A head ends at an empty line: "\r\n\r\n", or "\n\n" from a peer that sends bare line feeds
/// (RFC 9112 §2.2 lets a recipient accept them). Heads arrive in pieces, so the scanner remembers
/// how far it has looked and examines each byte about once, however the head is cut.
struct HeadScanner {
    enum Result: Equatable {
        /// The head is `buffer.bytes[buffer.start..<headEnd]` (its last field line's "\n"
        /// included, the empty line not); what follows it starts at `bodyStart`.
        case complete(headEnd: Int, bodyStart: Int)
        case needMore
        /// The head is longer than the limit.
        case tooLarge
    }

    /// The longest head accepted, counted up to its last field line's "\n".
    let maxHeadBytes: Int
    /// Stream position (see ``ReceiveBuffer/consumedTotal``) where the next search starts.
    private var resumeAt = 0

    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Looks for the end of the head that starts at `buffer.start`.
    ///
    /// Too large is decided on the head alone, never on how much of the stream is buffered, so
    /// the outcome does not depend on how the bytes were cut: without an end in sight the head is
    /// at least every buffered byte but one (a "\r" of the empty line may be waiting for its "\n").
    mutating func scan(_ buffer: ReceiveBuffer) -> Result {
        let bytes = buffer.bytes
        var index = buffer.start + max(0, resumeAt - buffer.consumedTotal)
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    return Self.complete(headEnd: index + 1, bodyStart: index + 2, in: buffer, limit: maxHeadBytes)
                }
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                    return Self.complete(headEnd: index + 1, bodyStart: index + 3, in: buffer, limit: maxHeadBytes)
                }
                if index + 2 >= bytes.count { break }  // the empty line may still be arriving: look here again
            }
            index += 1
        }
        resumeAt = buffer.consumedTotal + index - buffer.start
        return buffer.count > maxHeadBytes + 1 ? .tooLarge : .needMore
    }

    private static func complete(headEnd: Int, bodyStart: Int, in buffer: ReceiveBuffer, limit: Int) -> Result {
        headEnd - buffer.start > limit ? .tooLarge : .complete(headEnd: headEnd, bodyStart: bodyStart)
    }
}
