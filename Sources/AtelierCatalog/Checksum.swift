/// A fast 64-bit checksum of a file's bytes, recorded in the load history so that a person
/// can tell whether the same export was loaded twice. Not cryptographic.
public struct Checksum: Sendable, Equatable {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    private var pending: UInt64 = 0
    private var pendingCount = 0

    public init() {}

    /// Folds in `bytes`; the result does not depend on how the input is split into calls.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while pendingCount != 0, index < bytes.count { push(bytes[index]); index += 1 }
        while index + 8 <= bytes.count {
            mix(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        while index < bytes.count { push(bytes[index]); index += 1 }
    }

    /// The checksum as 16 hex digits.
    public var hexDigest: String {
        var copy = self
        if copy.pendingCount > 0 { copy.mix(copy.pending ^ UInt64(copy.pendingCount) << 56) }
        let hex = String(copy.state, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private mutating func push(_ byte: UInt8) {
        pending |= UInt64(byte) << (8 * UInt64(pendingCount))
        pendingCount += 1
        if pendingCount == 8 { mix(pending); pending = 0; pendingCount = 0 }
    }

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        state = (state ^ word) &* 0x0000_0100_0000_01B3
        state ^= state >> 29
    }
}
