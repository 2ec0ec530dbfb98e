/// What a pass injected, kept in the pod annotation `azure.workload.identity/injected` as compact
/// JSON, so a later pass (reinvocation) can tell its own values from the user's.
///
/// If another webhook changes `serviceAccountName` between two passes, the values this webhook
/// injected for the old ServiceAccount are corrected, and values the user set are never touched.
struct InjectionRecord: Equatable {
    var serviceAccount: String
    var clientID: String
    var tenantID: String

    /// `{"serviceAccount":"…","clientID":"…","tenantID":"…"}`
    func json() -> String {
        var writer = JSONWriter(capacity: 128)
        writer.raw("{\"serviceAccount\":")
        writer.string(serviceAccount)
        writer.raw(",\"clientID\":")
        writer.string(clientID)
        writer.raw(",\"tenantID\":")
        writer.string(tenantID)
        writer.raw("}")
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The recorded value of a variable this record covers.
    func value(of variable: InjectedVariable) -> String? {
        switch variable {
        case .clientID: clientID
        case .tenantID: tenantID
        default: nil
        }
    }

    /// Reads an annotation value; nil when absent or not a record (a user's edit is ignored, not trusted).
    static func parse(_ text: String?) -> InjectionRecord? {
        guard var text else { return nil }
        return text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes)
            var record = InjectionRecord(serviceAccount: "", clientID: "", tenantID: "")
            do throws(JSONError) {
                guard try scanner.peek() == UInt8(ascii: "{") else { return nil }
                var object = try scanner.enterObject()
                while let key = try scanner.nextKey(&object) {
                    guard try scanner.peek() == UInt8(ascii: "\"") else { return nil }
                    let value = try scanner.scanString().decode(in: bytes)
                    if key.equals("serviceAccount", in: bytes) {
                        record.serviceAccount = value
                    } else if key.equals("clientID", in: bytes) {
                        record.clientID = value
                    } else if key.equals("tenantID", in: bytes) {
                        record.tenantID = value
                    }
                }
                try scanner.expectEnd()
            } catch {
                return nil
            }
            return record
        }
    }
}
