/// Writes the AdmissionReview response: same apiVersion as the request, the request's uid,
/// `allowed` always present, the patch as base64 when there is one, a 400 status on denial.
enum AdmissionResponseWriter {
    static func write(
        apiVersion: String,
        uid: String,
        decision: AdmissionDecision,
        patch: [UInt8]?,
        warnings: [String]
    ) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + (patch?.count ?? 0) * 4 / 3)
        json.raw("{\"apiVersion\":")
        json.string(apiVersion)
        json.raw(",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":")
        json.string(uid)
        if case .denied(_, let message) = decision {
            json.raw(",\"allowed\":false,\"status\":{\"code\":400,\"message\":")
            json.string(message)
            json.raw("}")
        } else {
            json.raw(",\"allowed\":true")
        }
        if let patch {
            json.raw(",\"patchType\":\"JSONPatch\",\"patch\":\"")
            json.base64(patch)
            json.raw("\"")
        }
        if !warnings.isEmpty {
            json.raw(",\"warnings\":[")
            for (index, warning) in warnings.enumerated() {
                if index > 0 { json.raw(",") }
                json.string(warning)
            }
            json.raw("]")
        }
        json.raw("}}")
        return json.bytes
    }
}
