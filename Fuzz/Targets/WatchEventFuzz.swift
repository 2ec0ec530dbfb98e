// Compiled in one module with the Kubernetes client's wire types (see scripts/fuzz).

/// Fuzzes what the ServiceAccount cache reads from the API server: each input is decoded as one
/// watch-stream line (`WatchEvent<ServiceAccountWire.Object>.decode`) and as a LIST page. Any
/// bytes either fail with a non-empty decoding message or give an event whose object, reduced to
/// what the cache keeps, holds only `azure.workload.identity/*` annotations (the decoder itself
/// checks that each type has the metadata it needs).
@_cdecl("LLVMFuzzerTestOneInput")
public func watchEventFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    do throws(KubeClientError) {
        switch try WatchEvent<ServiceAccountWire.Object>.decode(line) {
        case let .upsert(metadata, object):
            require(metadata.name != nil && metadata.resourceVersion != nil, "an upsert without name or resourceVersion")
            let kept = ServiceAccountInfo.relevant(object.metadata?.annotations)
            require(kept.keys.allSatisfy { $0.hasPrefix(ServiceAccountInfo.annotationPrefix) }, "kept \(kept.keys)")
        case .delete, .bookmark, .error:
            break
        }
    } catch {
        requireDecodingError(error)
    }
    do throws(KubeClientError) {
        _ = try KubeJSON.decode(ListPage<ServiceAccountWire.Object>.self, line, what: "ServiceAccount list")
    } catch {
        requireDecodingError(error)
    }
    return 0
}

private func requireDecodingError(_ error: KubeClientError) {
    guard case let .decoding(message) = error else { fatalError("invariant failed: not a decoding error: \(error)") }
    require(!message.isEmpty, "a decoding error without a message")
}
