/// Whether a text is a GUID as Entra ID writes client and tenant IDs: 8-4-4-4-12 hexadecimal
/// digits, either case, no braces.
///
/// A client-id that is not one (a display name, an object ID pasted with braces, a trailing
/// space) is injected as is and fails only at token exchange, with an error that names neither.
enum GUID {
    static func isValid(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.utf8.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.utf8.allSatisfy(isHexDigit) }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
