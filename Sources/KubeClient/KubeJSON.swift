import FoundationEssentials

/// Decodes API JSON with FoundationEssentials' `JSONDecoder`.
///
/// For cold paths only (LIST pages, watch events, single objects): every field a `Decodable`
/// shape does not name is skipped, so only what it names is kept.
public enum KubeJSON {
    /// Decodes `bytes` as `type`.
    ///
    /// - Parameter what: names the document in the error message, e.g. "ServiceAccount list".
    /// - Throws: `KubeClientError.decoding` with the decoder's reason and the document's start.
    public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(KubeClientError) -> T {
        do {
            // The decoder reads the bytes in place: a LIST page is megabytes, and a copy into
            // `Data` would double what it holds while it decodes.
            return try bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, raw.count > 0 else { return try JSONDecoder().decode(type, from: Data()) }
                let view = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none)
                return try JSONDecoder().decode(type, from: view)
            }
        } catch {
            throw .decoding("\(what): \(error) in \(String(decoding: bytes.prefix(160), as: UTF8.self))")
        }
    }
}
