/// A Kubernetes `LabelSelector`, read from the JSON of `AZURE_KUBERNETES_CA_CTB_LABEL_SELECTOR`.
///
/// Checked at start (an invalid selector would make the API server reject every opted-in pod) and
/// written back as compact JSON in the field order the API server serialises it, so a pod this
/// webhook mutated reads back as already mutated.
struct LabelSelector: Equatable {
    var matchLabels: [(key: String, value: String)] = []
    var matchExpressions: [Requirement] = []

    struct Requirement: Equatable {
        var key: String
        var `operator`: String
        var values: [String]
    }

    static func == (lhs: LabelSelector, rhs: LabelSelector) -> Bool {
        lhs.matchLabels.elementsEqual(rhs.matchLabels) { $0 == $1 } && lhs.matchExpressions == rhs.matchExpressions
    }

    /// Parses and checks `text`; the error message says what is wrong, without naming the variable.
    static func parse(_ text: String) -> Result<LabelSelector, CustomTokenEndpointError> {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes)
            do throws(JSONError) {
                let selector = try read(&scanner)
                try scanner.expectEnd()
                if let problem = selector.problem { return .failure(CustomTokenEndpointError(message: problem)) }
                return .success(selector)
            } catch {
                return .failure(CustomTokenEndpointError(message: error.description))
            }
        }
    }

    /// `{"matchLabels":{…},"matchExpressions":[{"key":…,"operator":…,"values":[…]}]}`, empty parts left out.
    func write(to json: inout JSONWriter) {
        json.raw("{")
        if !matchLabels.isEmpty {
            json.raw("\"matchLabels\":{")
            for (index, label) in matchLabels.enumerated() {
                if index > 0 { json.raw(",") }
                json.string(label.key)
                json.raw(":")
                json.string(label.value)
            }
            json.raw("}")
        }
        if !matchExpressions.isEmpty {
            if !matchLabels.isEmpty { json.raw(",") }
            json.raw("\"matchExpressions\":[")
            for (index, requirement) in matchExpressions.enumerated() {
                if index > 0 { json.raw(",") }
                json.raw("{\"key\":")
                json.string(requirement.key)
                json.raw(",\"operator\":")
                json.string(requirement.operator)
                if !requirement.values.isEmpty {
                    json.raw(",\"values\":[")
                    for (valueIndex, value) in requirement.values.enumerated() {
                        if valueIndex > 0 { json.raw(",") }
                        json.string(value)
                    }
                    json.raw("]")
                }
                json.raw("}")
            }
            json.raw("]")
        }
        json.raw("}")
    }

    /// What the API server would refuse in this selector, if anything.
    private var problem: String? {
        for (key, value) in matchLabels {
            if let reason = QualifiedName.problems(key).first { return "matchLabels key \"\(key)\": \(reason)" }
            if !QualifiedName.isLabelValue(value) { return "matchLabels value \"\(value)\" of \"\(key)\" is not a valid label value" }
        }
        for requirement in matchExpressions {
            if let reason = QualifiedName.problems(requirement.key).first { return "matchExpressions key \"\(requirement.key)\": \(reason)" }
            switch requirement.operator {
            case "In", "NotIn":
                if requirement.values.isEmpty { return "matchExpressions operator \(requirement.operator) needs values" }
            case "Exists", "DoesNotExist":
                if !requirement.values.isEmpty { return "matchExpressions operator \(requirement.operator) takes no values" }
            default:
                return "matchExpressions operator \"\(requirement.operator)\" is not In, NotIn, Exists or DoesNotExist"
            }
        }
        return nil
    }

    // MARK: - Reading

    private static func read(_ scanner: inout JSONScanner) throws(JSONError) -> LabelSelector {
        var selector = LabelSelector()
        guard var object = try objectOrNull(&scanner, "a LabelSelector") else { return selector }
        while let key = try scanner.nextKey(&object) {
            if key.equals("matchLabels", in: scanner.bytes) {
                guard var labels = try objectOrNull(&scanner, "matchLabels") else { continue }
                var map: [String: String] = [:]
                while let name = try scanner.nextKey(&labels) {
                    map[name.decode(in: scanner.bytes)] = try string(&scanner, "a matchLabels value")
                }
                selector.matchLabels = map.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
            } else if key.equals("matchExpressions", in: scanner.bytes) {
                guard var list = try arrayOrNull(&scanner, "matchExpressions") else { continue }
                while try scanner.nextElement(&list) {
                    selector.matchExpressions.append(try readRequirement(&scanner))
                }
            } else {
                try scanner.skipValue()  // Go's decoder ignores unknown fields too
            }
        }
        return selector
    }

    private static func readRequirement(_ scanner: inout JSONScanner) throws(JSONError) -> Requirement {
        var requirement = Requirement(key: "", operator: "", values: [])
        guard var object = try objectOrNull(&scanner, "a matchExpressions entry") else { return requirement }
        while let key = try scanner.nextKey(&object) {
            if key.equals("key", in: scanner.bytes) {
                requirement.key = try string(&scanner, "a matchExpressions key")
            } else if key.equals("operator", in: scanner.bytes) {
                requirement.operator = try string(&scanner, "a matchExpressions operator")
            } else if key.equals("values", in: scanner.bytes) {
                guard var values = try arrayOrNull(&scanner, "matchExpressions values") else { continue }
                while try scanner.nextElement(&values) {
                    requirement.values.append(try string(&scanner, "a matchExpressions value"))
                }
            } else {
                try scanner.skipValue()
            }
        }
        return requirement
    }

    private static func objectOrNull(_ scanner: inout JSONScanner, _ what: String) throws(JSONError) -> JSONScanner.Cursor? {
        switch try scanner.peek() {
        case UInt8(ascii: "{"): return try scanner.enterObject()
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: throw scanner.error("\(what) must be an object")
        }
    }

    private static func arrayOrNull(_ scanner: inout JSONScanner, _ what: String) throws(JSONError) -> JSONScanner.Cursor? {
        switch try scanner.peek() {
        case UInt8(ascii: "["): return try scanner.enterArray()
        case UInt8(ascii: "n"): try scanner.literal("null"); return nil
        default: throw scanner.error("\(what) must be an array")
        }
    }

    private static func string(_ scanner: inout JSONScanner, _ what: String) throws(JSONError) -> String {
        switch try scanner.peek() {
        case UInt8(ascii: "\""): return try scanner.scanString().decode(in: scanner.bytes)
        case UInt8(ascii: "n"): try scanner.literal("null"); return ""
        default: throw scanner.error("\(what) must be a string")
        }
    }
}
