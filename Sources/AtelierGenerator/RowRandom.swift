/// A small, fast, seedable random source (SplitMix64). Every row draws from its own stream,
/// keyed by (seed, table, purpose, index), so any file can be written alone, in any order or
/// on any thread, and still come out byte for byte the same.
struct RowRandom {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64, index: Int) {
        state = Self.mix(
            seed ^ Self.mix(stream &* 0xD1B5_4A32_D192_ED03)
                ^ Self.mix(UInt64(truncatingIfNeeded: index) &+ 0x632B_E59B_D9B4_E019))
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// 0 ..< bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// A count whose average is exactly `mean`: uniform over mean·(1 ± spread), then rounded
    /// up or down at random in proportion (so 2.9 gives 2 or 3, 2.9 on average).
    mutating func count(mean: Double, spread: Double) -> Int {
        let value = mean * (1 - spread) + unit() * 2 * mean * spread
        return Int(value + unit())
    }
}
