// Compiled in one module with the HTTP request parser's sources (see scripts/fuzz).

/// Fuzzes the server's HTTP/1.1 request parser: the input's first byte picks how the rest is
/// cut into pieces (see `Chunks`), as TCP may cut it. The parser must never trap, must consume
/// bytes whenever it returns an event, must stay failed once failed, must keep every body within
/// its limit, and must see the same requests whether the bytes arrive at once or in pieces.
private let limits = HTTPRequestParser.Limits(maxHeaderBytes: 1024, maxBodyBytes: 4096)

/// What a connection would do with one event, in a comparable form.
private enum Outcome: Equatable {
    case request(method: String, target: String, headers: [String], body: [UInt8], keepAlive: Bool, announceKeepAlive: Bool)
    case failure(status: Int)
}

/// Feeds `pieces` to a fresh parser and returns the requests and the final failure, if any.
private func drive<Pieces: Sequence<ArraySlice<UInt8>>>(_ pieces: Pieces, total: Int) -> [Outcome] {
    var parser = HTTPRequestParser(limits: limits)
    var outcomes: [Outcome] = []
    // Each event other than needMore consumes at least one byte, or fails for good.
    var eventsLeft = total + 2
    for piece in pieces {
        piece.withUnsafeBytes { parser.append($0) }
        reading: while true {
            eventsLeft -= 1
            require(eventsLeft >= 0, "next() keeps returning events without consuming bytes")
            switch parser.next() {
            case .needMore:
                break reading
            case .sendContinue:
                require(parser.bufferedCount == 0, "100 Continue while body bytes are already buffered")
            case let .request(request, keepAlive, announceKeepAlive):
                require(request.body.count <= limits.maxBodyBytes, "a body over the limit")
                require(keepAlive || !announceKeepAlive, "keep-alive announced on a closing connection")
                outcomes.append(.request(
                    method: request.method, target: request.target,
                    headers: request.headers.map { "\($0.name): \($0.value)" },
                    body: request.body, keepAlive: keepAlive, announceKeepAlive: announceKeepAlive))
            case let .failure(status, reason):
                require([400, 411, 413, 417, 431, 505].contains(status), "unexpected status \(status)")
                require(!reason.isEmpty, "a failure without a reason")
                guard case .failure(status, reason) = parser.next() else { fatalError("a failed parser recovered") }
                outcomes.append(.failure(status: status))
                return outcomes
            }
        }
    }
    return outcomes
}

@_cdecl("LLVMFuzzerTestOneInput")
public func requestParserFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let chunks = Chunks(Array(UnsafeBufferPointer(start: data, count: size)))
    let pieced = drive(chunks, total: chunks.bytes.count)
    let whole = drive([chunks.bytes[...]], total: chunks.bytes.count)
    require(pieced == whole, "pieces and whole differ: \(pieced) vs \(whole)")
    return 0
}
