import CGSL

/// GSL's Mersenne Twister (MT19937), the generator behind every distribution's `sample(using:)`.
///
/// Not `Sendable`: every draw mutates the GSL state. Give each task its own generator, seeded e.g. from
/// ``StreamKey/derive(_:_:_:_:)``.
public final class GSLRandom {
    /// The generator, owned by this object and freed in `deinit`.
    let pointer: UnsafeMutablePointer<gsl_rng>

    /// The seed passed to ``init(seed:)``.
    public let seed: UInt64

    /// Creates an MT19937 generator.
    ///
    /// GSL's MT19937 takes a 32-bit seed, so the 64-bit seed is reduced: seeds `1...UInt32.max` are passed
    /// unchanged (so the stream equals C's `gsl_rng_set(r, seed)`), larger seeds are hashed (SplitMix64 finalizer)
    /// and folded to 32 bits, and a seed — or folded value — of 0 becomes 4357, which is what GSL itself does
    /// for 0. Hence `seed: 0` and `seed: 4357` give the same stream, and two large seeds collide with
    /// probability 2⁻³².
    public init(seed: UInt64) {
        GSL.ensureInitialized()
        guard let rng = gsl_rng_alloc(cgsl_rng_mt19937()) else {
            fatalError("gsl_rng_alloc: out of memory allocating an MT19937 generator")
        }
        pointer = rng
        self.seed = seed
        gsl_rng_set(rng, UInt(Self.gslSeed(for: seed)))
    }

    deinit {
        gsl_rng_free(pointer)
    }

    /// The 32-bit seed handed to `gsl_rng_set` for a 64-bit seed (see ``init(seed:)``).
    static func gslSeed(for seed: UInt64) -> UInt32 {
        let gslDefaultSeed: UInt32 = 4357
        if seed <= UInt64(UInt32.max) {
            return seed == 0 ? gslDefaultSeed : UInt32(seed)
        }
        let mixed = SplitMix64.mix(seed)
        let folded = UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))
        return folded == 0 ? gslDefaultSeed : folded
    }

    /// A uniform double in [0, 1) (`gsl_rng_uniform`, 32 bits of resolution).
    public func uniform() -> Double {
        gsl_rng_uniform(pointer)
    }

    /// A uniform double in (0, 1), never exactly 0 — safe for `log` (`gsl_rng_uniform_pos`).
    public func uniformPositive() -> Double {
        gsl_rng_uniform_pos(pointer)
    }

    /// A uniform integer in `0..<n`, without modulo bias.
    ///
    /// Uses `gsl_rng_uniform_int` for `n ≤ 2³² − 1` (MT19937's range) and two combined outputs with rejection
    /// above that. `n` must be positive (a precondition, like `Int.random(in: 0..<0)`).
    public func uniformInt(below n: Int) -> Int {
        precondition(n > 0, "GSLRandom.uniformInt(below:) needs n > 0 (got \(n))")
        if n <= Int(UInt32.max) {
            return Int(gsl_rng_uniform_int(pointer, UInt(n)))
        }
        let bound = UInt64(n)
        // 2^64 mod bound: values below it would make the low residues more likely.
        let threshold = (0 &- bound) % bound
        while true {
            let high = UInt64(gsl_rng_get(pointer)) << 32
            let value = high | UInt64(gsl_rng_get(pointer))
            if value >= threshold {
                return Int(value % bound)
            }
        }
    }

    /// A normal draw with mean 0 and standard deviation `sigma` (`gsl_ran_gaussian`).
    public func gaussian(sigma: Double) -> Double {
        gsl_ran_gaussian(pointer, sigma)
    }

    /// Shuffles `array` in place (Fisher–Yates with ``uniformInt(below:)``): the permutation is a function of the
    /// seed and the number of earlier draws only.
    public func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = uniformInt(below: i + 1)
            if i != j {
                array.swapAt(i, j)
            }
        }
    }
}
