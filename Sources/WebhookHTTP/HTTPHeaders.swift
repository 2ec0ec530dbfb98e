/// Header fields in arrival order, looked up by name without regard to case.
///
/// An ordered list rather than a dictionary: requests carry a handful of fields, order matters for
/// repeated ones, and a linear scan with byte-wise case folding allocates nothing.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByArrayLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(arrayLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, or `nil`.
    public subscript(_ name: String) -> String? {
        for field in fields where Self.equalIgnoringCase(field.name, name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.equalIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Whether any field is named `name`.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func append(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public var count: Int { fields.count }

    /// ASCII case-insensitive equality (header names are ASCII tokens).
    static func equalIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { a in
            rhs.withUTF8 { b in
                guard a.count == b.count else { return false }
                for index in 0..<a.count where a[index] != b[index] {
                    guard isLetter(a[index]), a[index] | 0x20 == b[index] | 0x20 else { return false }
                }
                return true
            }
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
    }
}
