/// The AdmissionReview envelope: what `read` finds around the pod, before any validation.
struct Envelope {
    var apiVersion: String?
    var kind: String?
    var hasRequest = false
    var uid: String?
    var operation = ""
    /// Whether the request is about pods: `request.resource` is `{group: "", resource: pods}`,
    /// or, without a resource, `request.kind.kind` is `Pod`.
    var isPodResource: Bool { resource.map { $0 == "pods" && resourceGroup.isEmpty } ?? (objectKind == "Pod") }
    var resource: String?
    var resourceGroup = ""
    var objectKind: String?
    var subResource = ""
    var namespace: String?
    /// The pod, nil when `request.object` is absent or null.
    var pod: PodFacts?

    /// Reads the top-level object; unknown members are skipped (validated, not stored).
    static func read(_ scanner: inout JSONScanner) throws(JSONError) -> Envelope {
        var envelope = Envelope()
        var review = try objectOrThrow(&scanner, "the AdmissionReview")
        while let key = try scanner.nextKey(&review) {
            if key.equals("apiVersion", in: scanner.bytes) {
                envelope.apiVersion = try string(&scanner, "apiVersion")
            } else if key.equals("kind", in: scanner.bytes) {
                envelope.kind = try string(&scanner, "kind")
            } else if key.equals("request", in: scanner.bytes) {
                try envelope.readRequest(&scanner)
            } else {
                try scanner.skipValue()
            }
        }
        return envelope
    }

    private mutating func readRequest(_ scanner: inout JSONScanner) throws(JSONError) {
        if try scanner.peek() == UInt8(ascii: "n") {
            return try scanner.literal("null")
        }
        hasRequest = true
        var request = try Envelope.objectOrThrow(&scanner, "request")
        while let key = try scanner.nextKey(&request) {
            let bytes = scanner.bytes
            if key.equals("uid", in: bytes) {
                uid = try Envelope.string(&scanner, "request.uid")
            } else if key.equals("operation", in: bytes) {
                operation = try Envelope.string(&scanner, "request.operation") ?? ""
            } else if key.equals("namespace", in: bytes) {
                namespace = try Envelope.string(&scanner, "request.namespace")
            } else if key.equals("subResource", in: bytes) {
                subResource = try Envelope.string(&scanner, "request.subResource") ?? ""
            } else if key.equals("resource", in: bytes) {
                try readResource(&scanner)
            } else if key.equals("kind", in: bytes) {
                try readKind(&scanner)
            } else if key.equals("object", in: bytes) {
                if try scanner.peek() == UInt8(ascii: "n") {
                    try scanner.literal("null")
                } else {
                    pod = try PodReader.read(&scanner)
                }
            } else {
                try scanner.skipValue()
            }
        }
    }

    private mutating func readResource(_ scanner: inout JSONScanner) throws(JSONError) {
        var object = try Envelope.objectOrThrow(&scanner, "request.resource")
        resource = ""
        while let key = try scanner.nextKey(&object) {
            if key.equals("resource", in: scanner.bytes) {
                resource = try Envelope.string(&scanner, "request.resource.resource") ?? ""
            } else if key.equals("group", in: scanner.bytes) {
                resourceGroup = try Envelope.string(&scanner, "request.resource.group") ?? ""
            } else {
                try scanner.skipValue()
            }
        }
    }

    private mutating func readKind(_ scanner: inout JSONScanner) throws(JSONError) {
        var object = try Envelope.objectOrThrow(&scanner, "request.kind")
        while let key = try scanner.nextKey(&object) {
            if key.equals("kind", in: scanner.bytes) {
                objectKind = try Envelope.string(&scanner, "request.kind.kind")
            } else {
                try scanner.skipValue()
            }
        }
    }

    private static func objectOrThrow(_ scanner: inout JSONScanner, _ what: StaticString) throws(JSONError) -> JSONScanner.Cursor {
        guard try scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("\(what) must be an object") }
        return try scanner.enterObject()
    }

    /// A string member of the envelope (null reads as absent); envelope fields are few and short.
    private static func string(_ scanner: inout JSONScanner, _ what: StaticString) throws(JSONError) -> String? {
        switch try scanner.peek() {
        case UInt8(ascii: "\""): return try scanner.scanString().decode(in: scanner.bytes)
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: throw scanner.error("\(what) must be a string")
        }
    }
}
