/// SplitMix64: a tiny, fast 64-bit generator for the simulation's hot loop.
///
/// The state advances by the odd "golden gamma" 0x9E3779B97F4A7C15 (a Weyl sequence) and each state is passed
/// through a bijective xor-shift-multiply finalizer. Algorithm from G. L. Steele Jr., D. Lea and C. H. Flood,
/// "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014; the finalizer constants are D. Stafford's
/// "Mix13" variant, as used by `java.util.SplittableRandom` and S. Vigna's reference `splitmix64.c`, whose output
/// for seed 0 begins 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F.
///
/// Period 2⁶⁴; passes BigCrush. Not cryptographic. Copying the struct copies the stream.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The Weyl-sequence counter.
    @usableFromInline
    var state: UInt64

    /// - Parameter seed: Any value, 0 included; the first output is `mix(seed &+ 0x9E3779B97F4A7C15)`.
    @inlinable
    public init(seed: UInt64) {
        state = seed
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        // The Weyl increment: 2⁶⁴/φ rounded to an odd number.
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The finalizer: a bijection on UInt64 with strong avalanche (every input bit affects every output bit).
    /// Note that `mix(0) == 0`.
    @inlinable @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
