/// The syntax of an HTTP/1.x request head (request line and header fields), checked strictly.
///
/// Field names must be tokens with no space before the colon, obsolete line folding and stray CR
/// bytes are refused (RFC 9112 §5.2, §11.2): each is a known request-smuggling vector.
struct HeadSyntax {
    enum Result {
        case success(HeadSyntax)
        case failure(status: Int, reason: String)
    }

    var method: String
    var target: String
    var isHTTP11: Bool
    var headers: HTTPHeaders

    /// Parses the head bytes up to and including the last field line's terminator.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        var lines: [Range<Int>] = []
        var lineStart = 0
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            var end = index
            if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            lines.append(lineStart..<end)
            lineStart = index + 1
        }
        guard let requestLine = lines.first else { return .failure(status: 400, reason: "empty request") }
        for line in lines where bytes[line].contains(UInt8(ascii: "\r")) || bytes[line].contains(0) {
            return .failure(status: 400, reason: "stray CR or NUL in the request head")
        }

        // request-line = method SP request-target SP HTTP-version
        let parts = bytes[requestLine].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return .failure(status: 400, reason: "malformed request line") }
        let version = String(decoding: parts[2], as: UTF8.self)
        let isHTTP11: Bool
        switch version {
        case "HTTP/1.1": isHTTP11 = true
        case "HTTP/1.0": isHTTP11 = false
        default:
            let looksLikeVersion = version.utf8.count == 8 && version.hasPrefix("HTTP/")
            return .failure(status: looksLikeVersion ? 505 : 400, reason: looksLikeVersion ? "HTTP version not supported" : "malformed HTTP version")
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            let field = bytes[line]
            guard let first = field.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
                return .failure(status: 400, reason: "obsolete line folding")
            }
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return .failure(status: 400, reason: "header field without a colon") }
            let name = field[field.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(status: 400, reason: "invalid header field name") }
            var valueStart = colon + 1
            var valueEnd = field.endIndex
            while valueStart < valueEnd, isWhitespace(field[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isWhitespace(field[valueEnd - 1]) { valueEnd -= 1 }
            headers.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: field[valueStart..<valueEnd], as: UTF8.self))
        }
        return .success(HeadSyntax(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            isHTTP11: isHTTP11, headers: headers))
    }

    /// The comma-separated, lower-cased, trimmed elements of a list header (parameters kept).
    static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { trimmed($0).lowercased() }.filter { !$0.isEmpty }
    }

    static func trimmed(_ text: Substring) -> String {
        var slice = text.utf8[...]
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return String(Substring(slice))
    }

    static func trimmed(_ text: String) -> String { trimmed(Substring(text)) }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// RFC 9110 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }
}
