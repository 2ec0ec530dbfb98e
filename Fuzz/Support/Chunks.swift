/// Splits a fuzz input into a stream and the sizes of the pieces it arrives in.
///
/// The first byte seeds a small generator (splitmix64) that picks each piece's size, 1 to 64
/// bytes, or the whole rest when the seed is 0; the remaining bytes are the stream. The same
/// input always splits the same way, so every crash reproduces.
struct Chunks: Sequence, IteratorProtocol {
    private let stream: [UInt8]
    private var offset = 0
    private var state: UInt64
    private let whole: Bool

    init(_ input: [UInt8]) {
        whole = input.first.map { $0 == 0 } ?? true
        state = UInt64(input.first ?? 0) &* 0x9E37_79B9_7F4A_7C15
        stream = Array(input.dropFirst())
    }

    /// The bytes after the seed.
    var bytes: [UInt8] { stream }

    mutating func next() -> ArraySlice<UInt8>? {
        guard offset < stream.count else { return nil }
        var size = stream.count - offset
        if !whole {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            size = Swift.min(size, Int(mixed % 64) + 1)
        }
        defer { offset += size }
        return stream[offset..<offset + size]
    }
}

/// Stops the fuzzer with a message when an invariant fails (libFuzzer records the input).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant failed: \(message())") }
}
