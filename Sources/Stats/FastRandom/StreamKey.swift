/// Seeds for independent random streams, keyed by what they are for.
///
/// The simulation gives each (run seed, purpose, user, day) its own generator, so results do not depend on the
/// order in which users or days are processed, or on how work is split across threads:
///
///     var rng = SplitMix64(seed: StreamKey.derive(runSeed, StreamPurpose.emission, userID, dayIndex))
public enum StreamKey {
    /// A well-mixed 64-bit hash of the four inputs.
    ///
    /// Each input is multiplied by its own odd constant (so swapping inputs gives a different key), xored into the
    /// running hash and passed through the SplitMix64 finalizer. Every step is a bijection of the input being
    /// absorbed, so changing only the last input always changes the key, and changing any other input changes it
    /// except with probability about 2⁻⁶⁴.
    @inlinable
    public static func derive(_ seed: UInt64, _ purpose: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
        // Start from a non-zero constant (fractional bits of √2) because mix(0) == 0.
        var hash: UInt64 = 0x6A09_E667_F3BC_C909
        hash = absorb(hash, seed, 0x9E37_79B9_7F4A_7C15)
        hash = absorb(hash, purpose, 0xD1B5_4A32_D192_ED03)
        hash = absorb(hash, a, 0xAEF1_7502_108E_F2D9)
        hash = absorb(hash, b, 0xF135_7AEA_2E62_A9C5)
        return hash
    }

    @inlinable @inline(__always)
    static func absorb(_ hash: UInt64, _ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        SplitMix64.mix((hash ^ (value &* multiplier)) &+ 0x9E37_79B9_7F4A_7C15)
    }
}
