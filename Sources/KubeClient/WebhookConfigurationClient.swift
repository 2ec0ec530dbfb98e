import JSONText
import FoundationEssentials
import YAML

/// Reads one MutatingWebhookConfiguration's caBundles and patches them, and nothing else.
///
/// The patch is a JSON patch (RFC 6902): a `test` that `metadata.resourceVersion` is still the
/// one read, then an `add` of `clientConfig.caBundle` for each webhook by index. A merge patch
/// would replace the whole `webhooks` list, and a PUT would overwrite fields other tools own; this
/// touches only the caBundles, and only if nobody changed the object in between.
public struct WebhookConfigurationClient: Sendable {
    public let name: String
    private let transport: any KubeTransport
    private let timeout: Duration

    /// - Parameter timeout: the time limit of each request.
    public init(transport: any KubeTransport, name: String, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.name = name
        self.timeout = timeout
    }

    /// The collection to watch it in (with a `metadata.name` field selector).
    public static let collectionPath = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
    /// The object's API path.
    public var path: String { "\(Self.collectionPath)/\(KubePath.escape(name))" }

    /// GETs the configuration's caBundles.
    ///
    /// - Throws: `KubeClientError.status` for any answer but 200 (404 missing, 403 forbidden by
    ///   RBAC), `.transport`, or `.decoding`.
    public func get() throws(KubeClientError) -> WebhookCABundles {
        let response = try transport.get(path, deadline: .now + timeout)
        guard response.status == 200 else { throw .status(code: response.status, message: response.message) }
        return try WebhookCABundles.decode(response.body)
    }

    /// Sets every webhook's caBundle to `caBundle`, on condition that the object is still at
    /// `current.resourceVersion` and has `current.caBundles.count` webhooks.
    ///
    /// - Returns: `.conflict` when the object changed meanwhile (409, or 422 from the failed `test`).
    /// - Throws: `KubeClientError.status` for any other refusal (403 without RBAC), or `.transport`.
    public func injectCABundle(_ caBundle: [UInt8], into current: WebhookCABundles) throws(KubeClientError) -> KubeWriteResult {
        let body = Self.patch(caBundle: caBundle, resourceVersion: current.resourceVersion, webhooks: current.caBundles.count)
        let response = try transport.write("PATCH", path, contentType: "application/json-patch+json", body: body, deadline: .now + timeout)
        switch response.status {
        case 200: return .written
        case 409, 422: return .conflict(response.message)
        default: throw .status(code: response.status, message: response.message)
        }
    }

    /// The JSON patch: test the resourceVersion, then add each webhook's caBundle.
    static func patch(caBundle: [UInt8], resourceVersion: String, webhooks: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"[{"op":"test","path":"/metadata/resourceVersion","value":"#.utf8)
        JSONString.write(resourceVersion, into: &out)
        out.append(UInt8(ascii: "}"))
        let encoded = Data(caBundle).base64EncodedString()
        for index in 0..<webhooks {
            out.append(contentsOf: #",{"op":"add","path":"/webhooks/\#(index)/clientConfig/caBundle","value":"#.utf8)
            JSONString.write(encoded, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
