@testable import azwi_webhook
import Foundation
import Logging
import Testing

private func object(_ bytes: [UInt8]) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

private func event(_ message: Logger.Message, _ metadata: Logger.Metadata?, level: Logger.Level = .info) -> LogEvent {
    LogEvent(level: level, message: message, metadata: metadata, source: "test", file: #fileID, function: #function, line: #line)
}

@Test func lineIsOneJSONObjectWithTheStandardFields() throws {
    let handler = JSONLogHandler(label: "azwi-webhook", logLevel: .info)
    let line = handler.format(event("admission", ["pod": "web-1", "durationMs": .stringConvertible(0.25)]))
    #expect(!line.contains(0x0A))
    let fields = try object(line)
    #expect(fields["msg"] as? String == "admission")
    #expect(fields["level"] as? String == "info")
    #expect(fields["logger"] as? String == "azwi-webhook")
    #expect(fields["pod"] as? String == "web-1")
    #expect(fields["durationMs"] as? Double == 0.25)
    let timestamp = try #require(fields["ts"] as? String)
    #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
}

@Test func controlCharactersQuotesAndUnicodeAreEscaped() throws {
    let handler = JSONLogHandler(label: "l", logLevel: .info)
    let nasty = "line\nbreak \"quoted\" back\\slash \u{01} tab\t é"
    let fields = try object(handler.format(event("\(nasty)", ["value": "\(nasty)"])))
    #expect(fields["msg"] as? String == nasty)
    #expect(fields["value"] as? String == nasty)
}

@Test func nestedMetadataAndHandlerMetadata() throws {
    var handler = JSONLogHandler(label: "l", logLevel: .info)
    handler[metadataKey: "component"] = "serve"
    let fields = try object(handler.format(event("m", [
        "warnings": .array(["a", "b"]), "detail": .dictionary(["n": .stringConvertible(3)]), "infinite": .stringConvertible(Double.infinity),
    ])))
    #expect(fields["component"] as? String == "serve")
    #expect(fields["warnings"] as? [String] == ["a", "b"])
    #expect((fields["detail"] as? [String: Any])?["n"] as? Int == 3)
    #expect(fields["infinite"] as? String == "inf")
}

@Test func metadataCannotOverrideTheStandardFields() throws {
    let handler = JSONLogHandler(label: "l", logLevel: .info)
    let fields = try object(handler.format(event("real", ["msg": "fake", "level": "fake"])))
    #expect(fields["msg"] as? String == "real")
    #expect(fields["level"] as? String == "info")
}

@Test func upstreamLogLevelsMapToSwiftLogLevels() {
    #expect(WebhookLogging.level("") == .info)
    #expect(WebhookLogging.level("info") == .info)
    #expect(WebhookLogging.level("debug") == .debug)
    #expect(WebhookLogging.level("trace") == .trace)
    #expect(WebhookLogging.level("all") == .trace)
}
