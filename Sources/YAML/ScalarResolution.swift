/// How a plain (unquoted) scalar is typed, following the YAML 1.2 core schema that
/// Kubernetes' YAML-to-JSON conversion also follows for the values it meets in practice.
enum ScalarResolution {
    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// The JSON spelling of a plain scalar that is a number, or nil when it is not one.
    static func jsonNumber(_ text: String) -> String? {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.first == UInt8(ascii: "+") { bytes.removeFirst() }
        var index = bytes.startIndex
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        while index < bytes.endIndex, isDigit(bytes[index]) { index += 1 }
        let integerDigits = index - integerStart
        var fractionDigits = 0
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.endIndex, isDigit(bytes[index]) { index += 1 }
            fractionDigits = index - fractionStart
        }
        guard integerDigits + fractionDigits > 0 else { return nil }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            while index < bytes.endIndex, isDigit(bytes[index]) { index += 1 }
            guard index > exponentStart else { return nil }
        }
        guard index == bytes.endIndex else { return nil }
        // JSON allows neither a leading zero before more digits nor a bare "." at either end.
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { return nil }
        var json = [UInt8]()
        json.reserveCapacity(bytes.count + 2)
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "."), offset == integerStart { json.append(UInt8(ascii: "0")) }
            json.append(byte)
            if byte == UInt8(ascii: "."), offset + 1 == bytes.count || !isDigit(bytes[offset + 1]) {
                json.append(UInt8(ascii: "0"))
            }
        }
        return String(decoding: json, as: UTF8.self)
    }

    /// Whether a string written plain would read back as something other than that string.
    static func needsQuoting(_ text: String) -> Bool {
        isNull(text) || bool(text) != nil || jsonNumber(text) != nil
            || ["yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"].contains(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
