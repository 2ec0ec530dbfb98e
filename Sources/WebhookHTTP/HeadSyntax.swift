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
    ///
    /// One pass, line by line, with no intermediate line list: this runs for every request.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        var requestLine: HeadSyntax?
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(12)
        var lineStart = 0
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            var end = index
            if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<end])
            lineStart = index + 1
            if line.contains(UInt8(ascii: "\r")) || line.contains(0) {
                return .failure(status: 400, reason: "stray CR or NUL in the request head")
            }
            if requestLine == nil {
                switch parseRequestLine(line) {
                case let .success(head): requestLine = head
                case let .failure(status, reason): return .failure(status: status, reason: reason)
                }
                continue
            }
            guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
                return .failure(status: 400, reason: "obsolete line folding")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .failure(status: 400, reason: "header field without a colon") }
            let name = UnsafeBufferPointer(rebasing: line[0..<colon])
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(status: 400, reason: "invalid header field name") }
            var valueStart = colon + 1
            var valueEnd = line.count
            while valueStart < valueEnd, isWhitespace(line[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
            fields.append((name: String(decoding: name, as: UTF8.self), value: String(decoding: line[valueStart..<valueEnd], as: UTF8.self)))
        }
        guard var head = requestLine else { return .failure(status: 400, reason: "empty request") }
        head.headers = HTTPHeaders(fields)
        return .success(head)
    }

    /// request-line = method SP request-target SP HTTP-version
    private static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) -> Result {
        guard let firstSpace = line.firstIndex(of: UInt8(ascii: " ")),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: UInt8(ascii: " "))
        else { return .failure(status: 400, reason: "malformed request line") }
        let method = line[0..<firstSpace]
        let target = line[(firstSpace + 1)..<secondSpace]
        let version = line[(secondSpace + 1)...]
        guard !method.isEmpty, method.allSatisfy(isTokenByte), !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !version.contains(UInt8(ascii: " "))
        else { return .failure(status: 400, reason: "malformed request line") }
        let isHTTP11: Bool
        if version.elementsEqual("HTTP/1.1".utf8) {
            isHTTP11 = true
        } else if version.elementsEqual("HTTP/1.0".utf8) {
            isHTTP11 = false
        } else {
            let looksLikeVersion = version.count == 8 && version.starts(with: "HTTP/".utf8)
            return .failure(status: looksLikeVersion ? 505 : 400, reason: looksLikeVersion ? "HTTP version not supported" : "malformed HTTP version")
        }
        return .success(HeadSyntax(
            method: String(decoding: method, as: UTF8.self), target: String(decoding: target, as: UTF8.self),
            isHTTP11: isHTTP11, headers: HTTPHeaders()))
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
