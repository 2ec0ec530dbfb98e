/// Decodes a chunked body (RFC 9112 §7.1) from a ``ReceiveBuffer``, for the server's requests and
/// the client's responses alike.
///
/// Both sides apply the same syntax and the same limits: a chunk size is 1 to 8 hex digits, then
/// optional whitespace and extensions on a line of at most 4,096 bytes; chunk data ends with
/// CRLF; trailer fields are skipped but count against the head limit. Data comes out as it
/// arrives, so a watch stream can be read chunk by chunk and a request body collected whole.
/// After a failure the body's framing is lost: the caller closes the connection.
struct ChunkedBodyDecoder {
    enum Event: Equatable {
        /// Body bytes at these indices of the buffer's `bytes`, already consumed: read them before
        /// the next append.
        case data(Range<Int>)
        case needMore
        /// The last chunk and the trailer section were read.
        case end
        case failure(Failure)
    }

    enum Failure: Equatable {
        case invalidSize
        case sizeLineTooLong
        case dataWithoutCRLF
        case bodyTooLarge
        case trailersTooLarge

        /// The reason, as both sides report it.
        var reason: String {
            switch self {
            case .invalidSize: "invalid chunk size"
            case .sizeLineTooLong: "chunk size line too long"
            case .dataWithoutCRLF: "chunk data not followed by CRLF"
            case .bodyTooLarge: "body too large"
            case .trailersTooLarge: "trailer fields too large"
            }
        }
    }

    /// The most hex digits in a chunk size.
    ///
    /// Eight digits allow chunks up to 4 GiB − 1, far beyond either side's body limit (3 MiB for
    /// an AdmissionReview, 64 MiB for an API response), and the sum of sizes cannot overflow an
    /// `Int`. Go's net/http, the API server's stack, writes sizes without leading zeros and
    /// reads up to 16 digits; a longer size only ever serves a smuggling or overflow attempt, so
    /// the stricter of the two limits the parsers used to have is the one both keep.
    static let maxSizeDigits = 8

    /// The longest chunk size line (size and extensions, without its line end) accepted.
    static let maxSizeLineBytes = 4096

    private enum Step {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    /// The most body bytes after decoding; a chunk that would pass it fails before it is read.
    let maxBodyBytes: Int
    /// The most bytes of trailer fields, counted with their line ends.
    let maxTrailerBytes: Int
    private var step = Step.size
    /// Sum of the chunk sizes read so far.
    private var declaredBytes = 0

    init(maxBodyBytes: Int, maxTrailerBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Decodes from the buffer's start up to the next body bytes, the end of the body, or the
    /// end of what has arrived.
    mutating func next(_ buffer: inout ReceiveBuffer) -> Event {
        while true {
            switch step {
            case .size:
                // Too long is decided on the line's content alone, so it does not depend on whether
                // its "\r\n" has arrived yet: 4,096 bytes and a CR buffered may still be a valid line.
                guard let line = Self.lineEnd(in: buffer, limit: Self.maxSizeLineBytes) else {
                    return buffer.count > Self.maxSizeLineBytes + 1 ? .failure(.sizeLineTooLong) : .needMore
                }
                if line.contentEnd - buffer.start > Self.maxSizeLineBytes { return .failure(.sizeLineTooLong) }
                guard let size = Self.chunkSize(buffer.bytes[buffer.start..<line.contentEnd]) else { return .failure(.invalidSize) }
                buffer.consume(line.next - buffer.start)
                if size > maxBodyBytes - declaredBytes { return .failure(.bodyTooLarge) }
                declaredBytes += size
                step = size == 0 ? .trailers(bytes: 0) : .data(remaining: size)
            case let .data(remaining):
                let available = min(remaining, buffer.count)
                if available == 0 { return .needMore }
                let range = buffer.start..<buffer.start + available
                buffer.consume(available)
                step = remaining == available ? .dataEnd : .data(remaining: remaining - available)
                return .data(range)
            case .dataEnd:
                guard buffer.count >= 2 else { return .needMore }
                guard buffer.bytes[buffer.start] == UInt8(ascii: "\r"), buffer.bytes[buffer.start + 1] == UInt8(ascii: "\n") else {
                    return .failure(.dataWithoutCRLF)
                }
                buffer.consume(2)
                step = .size
            case let .trailers(bytes):
                guard let line = Self.lineEnd(in: buffer, limit: maxTrailerBytes) else {
                    return bytes + buffer.count > maxTrailerBytes ? .failure(.trailersTooLarge) : .needMore
                }
                let lineLength = line.next - buffer.start
                let isEmpty = line.contentEnd == buffer.start
                buffer.consume(lineLength)
                if isEmpty { return .end }
                if bytes + lineLength > maxTrailerBytes { return .failure(.trailersTooLarge) }
                step = .trailers(bytes: bytes + lineLength)
            }
        }
    }

    /// The end of the line at the buffer's start ("\r\n" or "\n"), without the terminator and
    /// after it; only the first `limit` + 2 bytes are searched.
    private static func lineEnd(in buffer: ReceiveBuffer, limit: Int) -> (contentEnd: Int, next: Int)? {
        let bytes = buffer.bytes
        let start = buffer.start
        var index = start
        let end = min(bytes.count, start + limit + 2)
        while index < end {
            if bytes[index] == UInt8(ascii: "\n") {
                let contentEnd = index > start && bytes[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
                return (contentEnd, index + 1)
            }
            index += 1
        }
        return nil
    }

    /// Parses "1a;ext=value": hex digits, then optional whitespace and extensions (no bare CR).
    private static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let value = hexValue(line[index]) {
            size = size << 4 | value
            digits += 1
            index += 1
        }
        guard digits > 0, digits <= maxSizeDigits else { return nil }
        while index < line.endIndex, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") { index += 1 }
        guard index == line.endIndex || line[index] == UInt8(ascii: ";") else { return nil }
        return line[index...].contains(UInt8(ascii: "\r")) ? nil : size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }
}
