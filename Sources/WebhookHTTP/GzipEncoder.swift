internal import CZlib
internal import CShims

/// Compresses response bodies to gzip with one reusable zlib stream per connection.
///
/// The `z_stream` lives at a fixed heap address (zlib keeps a back-pointer to it), is set up once
/// and reset per body, so a keep-alive connection pays the 256 KiB state allocation only once.
final class GzipEncoder {
    private let stream: UnsafeMutablePointer<z_stream>
    private let ready: Bool

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16 selects the gzip wrapper; level 1 favours latency on the hot path.
        ready = CShims_deflateInit2(stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK
    }

    deinit {
        if ready { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The gzip encoding of `body`, or `nil` if zlib failed (the caller sends it uncompressed).
    func compress(_ body: [UInt8]) -> [UInt8]? {
        guard ready, deflateReset(stream) == Z_OK else { return nil }
        let bound = Int(deflateBound(stream, UInt(body.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int? = body.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                guard deflate(stream, Z_FINISH) == Z_STREAM_END else { return nil }
                return out.count - Int(stream.pointee.avail_out)
            }
        }
        guard let produced else { return nil }
        output.removeLast(output.count - produced)
        return output
    }

    /// Whether an `Accept-Encoding` value admits gzip (a `q=0` parameter refuses it).
    static func accepts(_ acceptEncoding: String) -> Bool {
        for element in HeadSyntax.tokens(acceptEncoding) {
            let parts = element.split(separator: ";")
            guard let coding = parts.first, HeadSyntax.trimmed(coding) == "gzip" else { continue }
            for parameter in parts.dropFirst() {
                let pair = HeadSyntax.trimmed(parameter)
                if pair.hasPrefix("q="), let q = Double(pair.dropFirst(2)), q <= 0 { return false }
            }
            return true
        }
        return false
    }
}
