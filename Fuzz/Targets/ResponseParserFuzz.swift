// Compiled in one module with the HTTP response parser's sources (see scripts/fuzz).

/// Fuzzes the client's HTTP/1.1 response parser (Content-Length, chunked, until-close bodies,
/// interim responses, keep-alive sequences): the input's first byte picks how the rest is cut
/// into pieces and whether the request was a HEAD. The parser must never trap, and the heads
/// and bodies it completes must not depend on how the bytes were cut, up to the first error
/// (limits are checked on what is buffered, so an error may come earlier in one cut than another).
private enum Outcome: Equatable {
    case head(status: Int, headers: [String])
    case body([UInt8])
    case error
}

private func drive(_ pieces: [ArraySlice<UInt8>], method: String) -> [Outcome] {
    var parser = HTTPResponseParser(maxHeadBytes: 1024)
    var outcomes: [Outcome] = []
    var inBody = false
    var body: [UInt8] = []
    // Each round either completes a head, takes at least one byte, or ends the body.
    var roundsLeft = pieces.reduce(0) { $0 + $1.count } * 3 + 8
    do throws(HTTPClientError) {
        // After the last piece, one more round with no bytes reports the end of the stream.
        for index in 0...pieces.count {
            let endOfStream = index == pieces.count
            let piece = endOfStream ? [] : pieces[index]
            piece.withUnsafeBytes { parser.append($0) }
            reading: while true {
                roundsLeft -= 1
                require(roundsLeft >= 0, "the parser loops without progress")
                if !inBody {
                    guard let head = try parser.parseHead(requestMethod: method) else { break reading }
                    require(head.status >= 100 && head.status <= 999, "status \(head.status)")
                    outcomes.append(.head(status: head.status, headers: head.headers.map { "\($0.name): \($0.value)" }))
                    inBody = true
                }
                switch try parser.nextBody(endOfStream: endOfStream) {
                case let .bytes(bytes):
                    require(!bytes.isEmpty, "an empty body piece")
                    body += bytes
                case .needMore:
                    require(!parser.bodyComplete, "needMore after the body's end")
                    break reading
                case .end:
                    outcomes.append(.body(body))
                    body = []
                    inBody = false
                    guard parser.keepAlive else { return outcomes }
                    if parser.bufferedCount == 0 { break reading }
                }
            }
        }
    } catch {
        outcomes.append(.error)
    }
    return outcomes
}

@_cdecl("LLVMFuzzerTestOneInput")
public func responseParserFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let method = (input.first ?? 0) & 0x80 != 0 ? "HEAD" : "GET"
    let chunks = Chunks(input)
    let pieced = drive(Array(chunks), method: method)
    let whole = drive(chunks.bytes.isEmpty ? [] : [chunks.bytes[...]], method: method)
    let completedPieced = pieced.filter { $0 != .error }
    let completedWhole = whole.filter { $0 != .error }
    let shorter = min(completedPieced.count, completedWhole.count)
    require(completedPieced.prefix(shorter) == completedWhole.prefix(shorter), "pieces and whole differ: \(pieced) vs \(whole)")
    if !pieced.contains(.error), !whole.contains(.error) {
        require(pieced == whole, "pieces and whole differ: \(pieced) vs \(whole)")
    }
    return 0
}
