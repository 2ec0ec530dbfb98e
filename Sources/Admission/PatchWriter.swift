/// Writes an RFC 6902 JSON patch: a JSON array of `add`/`replace` operations.
///
/// Paths are written piece by piece (``path(_:)``, ``index(_:)``); values are written by the
/// caller into ``json`` between ``value()`` and ``end()``.
struct PatchWriter {
    /// The document being written; callers append path pieces and values to it.
    var json = JSONWriter(capacity: 2048)
    private(set) var operationCount = 0

    /// Starts an operation: `{"op":"<op>","path":"` — the path follows.
    mutating func begin(_ op: StaticString) {
        json.raw(operationCount == 0 ? "[{\"op\":\"" : ",{\"op\":\"")
        json.raw(op)
        json.raw("\",\"path\":\"")
        operationCount += 1
    }

    /// Appends path text that needs no escaping (e.g. `/spec/volumes`).
    mutating func path(_ text: StaticString) {
        json.raw(text)
    }

    /// Appends `/<index>`.
    mutating func index(_ index: Int) {
        json.raw("/")
        json.int(index)
    }

    /// Ends the path; the value follows.
    mutating func value() {
        json.raw("\",\"value\":")
    }

    /// Ends the operation.
    mutating func end() {
        json.raw("}")
    }

    /// The patch, or nil when it has no operation.
    mutating func finish() -> [UInt8]? {
        guard operationCount > 0 else { return nil }
        json.raw("]")
        return json.bytes
    }
}
