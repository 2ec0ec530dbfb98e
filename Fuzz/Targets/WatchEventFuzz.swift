// Compiled in one module with the ServiceAccount wire types (see scripts/fuzz).

/// Fuzzes what the ServiceAccount cache reads from the API server: each input is decoded as one
/// watch-stream line (`ServiceAccountEvent.decode`) and as a LIST page. Any bytes either fail with
/// a non-empty decoding message or give an event whose ServiceAccount keeps only
/// `azure.workload.identity/*` annotations (the decoder itself checks that each type has the
/// metadata it needs).
@_cdecl("LLVMFuzzerTestOneInput")
public func watchEventFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        switch try ServiceAccountEvent.decode(line) {
        case let .upsert(info, _):
            require(info.annotations.keys.allSatisfy { $0.hasPrefix(ServiceAccountInfo.annotationPrefix) }, "kept \(info.annotations.keys)")
        case .delete, .bookmark, .error:
            break
        }
    } catch {
        requireDecodingError(error)
    }
    do {
        _ = try ServiceAccountWire.decode(ServiceAccountWire.ListPage.self, line, what: "ServiceAccount list")
    } catch {
        requireDecodingError(error)
    }
    return 0
}

private func requireDecodingError(_ error: KubeClientError) {
    guard case let .decoding(message) = error else { fatalError("invariant failed: not a decoding error: \(error)") }
    require(!message.isEmpty, "a decoding error without a message")
}
