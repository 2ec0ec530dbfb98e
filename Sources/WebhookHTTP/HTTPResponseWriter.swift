/// Serialises a response head and body into one buffer, so each response is one write.
enum HTTPResponseWriter {
    /// Fields the writer owns; a handler's copies are dropped so framing is never ambiguous.
    private static let framingFields = ["Content-Length", "Transfer-Encoding", "Connection"]

    /// Appends the status line, fields, `Content-Length`, optional `Connection: close`, and the
    /// body (not for HEAD) to `output`.
    static func write(_ response: HTTPResponse, headOnly: Bool, close: Bool, into output: inout [UInt8]) {
        output.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(response.status, to: &output)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: reasonPhrase(response.status).utf8)
        output.append(contentsOf: "\r\n".utf8)
        for (name, value) in response.headers where !framingFields.contains(where: { HTTPHeaders.equalIgnoringCase($0, name) }) {
            output.append(contentsOf: name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: value.utf8)
            output.append(contentsOf: "\r\n".utf8)
        }
        output.append(contentsOf: "Content-Length: ".utf8)
        appendDecimal(response.body.count, to: &output)
        output.append(contentsOf: close ? "\r\nConnection: close\r\n\r\n".utf8 : "\r\n\r\n".utf8)
        if !headOnly { output.append(contentsOf: response.body) }
    }

    /// The interim response that releases a client waiting on `Expect: 100-continue`.
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &output) }
        output.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
