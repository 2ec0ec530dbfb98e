import FoundationEssentials
public import YAML

/// A Secret as read from the API server: its `data` (base64-decoded) and resourceVersion, plus
/// the whole object, so that an update writes back every field this code does not know.
public struct KubeSecret: Sendable, Equatable {
    /// The version this read saw; an update is conditional on it.
    public let resourceVersion: String
    /// Each `data` key and its decoded bytes.
    public let data: [String: [UInt8]]
    /// The object as read (labels, annotations, type, owner references…).
    public let document: YAMLNode

    /// Decodes a Secret from the API server's JSON.
    ///
    /// - Throws: `KubeClientError.decoding` for JSON that is not an object, lacks a
    ///   resourceVersion, or has a `data` value that is not base64.
    public static func decode(_ bytes: [UInt8]) throws(KubeClientError) -> KubeSecret {
        let document: YAMLNode
        do throws(YAMLError) {
            document = try YAMLNode.parse(bytes)
        } catch {
            throw .decoding("Secret: \(error)")
        }
        guard document.pairs != nil, let resourceVersion = document["metadata"]?["resourceVersion"]?.string else {
            throw .decoding("Secret without metadata.resourceVersion")
        }
        var data: [String: [UInt8]] = [:]
        for pair in document["data"]?.pairs ?? [] {
            guard let text = pair.value.string, let decoded = Data(base64Encoded: text) else {
                throw .decoding("Secret data \"\(pair.key)\" is not base64")
            }
            data[pair.key] = Array(decoded)
        }
        return KubeSecret(resourceVersion: resourceVersion, data: data, document: document)
    }

    /// The JSON of this Secret with `changes` set in its `data` (other keys kept), still carrying
    /// the resourceVersion it was read at: the body of a conditional update (PUT).
    public func updateBody(setting changes: [String: [UInt8]]) -> [UInt8] {
        var merged = data
        for (key, value) in changes { merged[key] = value }
        let encoded = YAMLNode.mapping(merged.keys.sorted().map { key in
            YAMLPair(key: key, value: .string(Data(merged[key] ?? []).base64EncodedString()))
        })
        var pairs = document.pairs ?? []
        if let index = pairs.firstIndex(where: { $0.key == "data" }) {
            pairs[index].value = encoded
        } else {
            pairs.append(YAMLPair(key: "data", value: encoded))
        }
        return YAMLNode.mapping(pairs).jsonBytes()
    }
}
