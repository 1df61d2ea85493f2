// The samplers are @inlinable so that they specialize for the caller's generator; inlinable code may only use
// publicly imported modules, hence the public import of the C math library.
#if canImport(Darwin)
    public import Darwin
#elseif canImport(Glibc)
    public import Glibc
#elseif canImport(Musl)
    public import Musl
#endif

/// Allocation-free samplers in pure Swift for the simulation's inner loop, generic over any
/// `RandomNumberGenerator` (normally ``SplitMix64``).
///
/// Every function is exact (no normal approximations) and deterministic: the same generator state gives the same
/// result. Each is checked against GSL's distribution functions by chi-square tests. Arguments outside a
/// distribution's domain do not trap: they give the degenerate answer noted on each function.
public enum FastSampler {
    // MARK: - Uniform and Bernoulli

    /// A double in [0, 1) on the grid k·2⁻⁵³, from the top 53 bits of one output.
    @inlinable @inline(__always)
    public static func uniform<G: RandomNumberGenerator>(using g: inout G) -> Double {
        Double(g.next() >> 11) * 0x1.0p-53
    }

    /// Same as ``uniform(using:)``.
    @inlinable @inline(__always)
    public static func uniform<G: RandomNumberGenerator>(_ g: inout G) -> Double {
        uniform(using: &g)
    }

    /// A double in (0, 1] — never 0, so safe for `log` and `pow(u, 1/a)`.
    @inlinable @inline(__always)
    public static func uniformPositive<G: RandomNumberGenerator>(using g: inout G) -> Double {
        Double((g.next() >> 11) + 1) * 0x1.0p-53
    }

    /// `true` with probability `p` (p ≤ 0 or NaN: never; p ≥ 1: always). One uniform.
    @inlinable @inline(__always)
    public static func bernoulli<G: RandomNumberGenerator>(_ p: Double, using g: inout G) -> Bool {
        uniform(using: &g) < p
    }

    // MARK: - Continuous

    /// A standard normal draw by Marsaglia's polar method (no cached second value, so each call is self-contained);
    /// about 2.5 uniforms and one `log` per call.
    @inlinable
    public static func normal<G: RandomNumberGenerator>(using g: inout G) -> Double {
        while true {
            let x = 2 * uniform(using: &g) - 1
            let y = 2 * uniform(using: &g) - 1
            let s = x * x + y * y
            if s < 1, s > 0 {
                return x * (-2 * log(s) / s).squareRoot()
            }
        }
    }

    /// exp(mu + sigma·Z) with Z standard normal.
    @inlinable
    public static func lognormal<G: RandomNumberGenerator>(mu: Double, sigma: Double, using g: inout G) -> Double {
        exp(mu + sigma * normal(using: &g))
    }

    /// A Gamma(shape, scale 1) draw by Marsaglia & Tsang, "A simple method for generating gamma variables",
    /// ACM TOMS 26(3), 2000. Shapes below 1 use their boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
    ///
    /// Shape 0 gives 0 (the degenerate limit); negative or NaN shape gives NaN.
    @inlinable
    public static func gamma<G: RandomNumberGenerator>(shape: Double, using g: inout G) -> Double {
        guard shape > 0 else { return shape == 0 ? 0 : .nan }
        if shape < 1 {
            let boosted = marsagliaTsang(shape: shape + 1, using: &g)
            return boosted * pow(uniformPositive(using: &g), 1 / shape)
        }
        return marsagliaTsang(shape: shape, using: &g)
    }

    /// Marsaglia–Tsang squeeze-and-reject for shape ≥ 1.
    @inlinable
    static func marsagliaTsang<G: RandomNumberGenerator>(shape: Double, using g: inout G) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal(using: &g)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform(using: &g)
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 {
                return d * v
            }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) {
                return d * v
            }
        }
    }

    // MARK: - Counts

    /// A Poisson(mean) draw.
    ///
    /// For mean < 10: inversion by sequential search from 0 with one uniform and one `exp` (about mean + 1 short
    /// steps). For mean ≥ 10: W. Hörmann's PTRS transformed rejection with squeeze ("The transformed rejection
    /// method for generating Poisson random variables", Insurance: Mathematics and Economics 12 (1993) 39–45),
    /// about 1.1–1.3 pairs of uniforms per draw whatever the mean.
    ///
    /// Mean ≤ 0 or NaN gives 0; means of 2⁶² or more (including +∞) saturate at `Int.max`.
    @inlinable
    public static func poisson<G: RandomNumberGenerator>(mean: Double, using g: inout G) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 10 {
            return poissonInversion(mean: mean, using: &g)
        }
        guard mean < 0x1p62 else { return Int.max }
        return poissonPTRS(mean: mean, using: &g)
    }

    @inlinable
    static func poissonInversion<G: RandomNumberGenerator>(mean: Double, using g: inout G) -> Int {
        let probabilityOfZero = exp(-mean)
        draw: while true {
            let u = uniform(using: &g)
            var k = 0
            var probability = probabilityOfZero
            var cumulative = probability
            // Return the smallest k with u < P[X ≤ k].
            while u >= cumulative {
                k += 1
                probability *= mean / Double(k)
                let next = cumulative + probability
                // Rounding can leave the running CDF just below u with nothing left to add; draw again
                // (probability ~1e-16, and it keeps the result exact).
                if next == cumulative {
                    continue draw
                }
                cumulative = next
            }
            return k
        }
    }

    @inlinable
    static func poissonPTRS<G: RandomNumberGenerator>(mean: Double, using g: inout G) -> Int {
        // Constants of the hat function, from Hörmann (1993), valid for mean ≥ 10.
        let b = 0.931 + 2.53 * mean.squareRoot()
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let acceptRadius = 0.9277 - 3.6224 / (b - 2)
        let logMean = log(mean)
        while true {
            let u = uniform(using: &g) - 0.5
            // (0, 1] rather than [0, 1): v = 0 would accept any k in the final test.
            let v = uniformPositive(using: &g)
            let us = 0.5 - abs(u)
            // Kept as Double until accepted: for us → 0 the candidate is ±∞ or huge.
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07, v <= acceptRadius {
                return Int(k)
            }
            if !(k >= 0) || (us < 0.013 && v > us) {
                continue
            }
            let logHat = log(v * inverseAlpha / (a / (us * us) + b))
            if logHat <= -mean + k * logMean - logFactorial(k) {
                return Int(k)
            }
        }
    }

    /// NegativeBinomial with the given mean and variance mean + mean²/dispersion, drawn as the Gamma–Poisson
    /// mixture Poisson(Gamma(dispersion) · mean/dispersion).
    ///
    /// Mean ≤ 0 or non-positive/NaN dispersion gives 0; infinite dispersion is the Poisson limit.
    @inlinable
    public static func negativeBinomial<G: RandomNumberGenerator>(
        mean: Double, dispersion: Double, using g: inout G
    ) -> Int {
        guard mean > 0, dispersion > 0 else { return 0 }
        guard dispersion.isFinite else { return poisson(mean: mean, using: &g) }
        let rate = gamma(shape: dispersion, using: &g) * (mean / dispersion)
        return poisson(mean: rate, using: &g)
    }

    /// Binomial(trials, p): inversion (sequential search, one uniform) when trials·min(p, 1−p) < 10, otherwise
    /// Hörmann's BTRS transformed rejection ("The generation of binomial random variates", Journal of Statistical
    /// Computation and Simulation 46 (1993) 101–110). Both are exact; p > 1/2 is drawn as trials − Binomial(1 − p).
    ///
    /// trials ≤ 0, p ≤ 0 or NaN give 0; p ≥ 1 gives trials.
    @inlinable
    public static func binomial<G: RandomNumberGenerator>(trials: Int, p: Double, using g: inout G) -> Int {
        guard trials > 0, p > 0 else { return 0 }
        if p >= 1 { return trials }
        if p > 0.5 {
            return trials - binomialAtMostHalf(trials: trials, p: 1 - p, using: &g)
        }
        return binomialAtMostHalf(trials: trials, p: p, using: &g)
    }

    @inlinable
    static func binomialAtMostHalf<G: RandomNumberGenerator>(trials: Int, p: Double, using g: inout G) -> Int {
        if Double(trials) * p < 10 {
            return binomialInversion(trials: trials, p: p, using: &g)
        }
        return binomialBTRS(trials: trials, p: p, using: &g)
    }

    @inlinable
    static func binomialInversion<G: RandomNumberGenerator>(trials: Int, p: Double, using g: inout G) -> Int {
        let n = Double(trials)
        let oddsRatio = p / (1 - p)
        let scaledTrials = (n + 1) * oddsRatio
        // P[X = 0] = (1 − p)ⁿ, via log1p for accuracy when p is tiny.
        let probabilityOfZero = exp(n * log1p(-p))
        draw: while true {
            var u = uniform(using: &g)
            var probability = probabilityOfZero
            var k = 0
            while u >= probability {
                u -= probability
                k += 1
                if k > trials {
                    // Only reachable through rounding; draw again to stay exact.
                    continue draw
                }
                // P[X = k] / P[X = k − 1] = (n − k + 1)/k · p/(1 − p)
                probability *= scaledTrials / Double(k) - oddsRatio
            }
            return k
        }
    }

    @inlinable
    static func binomialBTRS<G: RandomNumberGenerator>(trials: Int, p: Double, using g: inout G) -> Int {
        let n = Double(trials)
        let q = 1 - p
        let spread = (n * p * q).squareRoot()
        // Constants of the hat function, from Hörmann (1993), valid for n·p ≥ 10 and p ≤ 1/2.
        let b = 1.15 + 2.53 * spread
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = n * p + 0.5
        let acceptRadius = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spread
        let logOdds = log(p / q)
        let mode = ((n + 1) * p).rounded(.down)
        let logModeTerm = logFactorial(mode) + logFactorial(n - mode)
        while true {
            let u = uniform(using: &g) - 0.5
            let v = uniformPositive(using: &g)
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if !(k >= 0 && k <= n) {
                continue
            }
            if us >= 0.07, v <= acceptRadius {
                return Int(k)
            }
            let logHat = log(v * alpha / (a / (us * us) + b))
            // log of P[X = k] / P[X = mode]
            let logRatio = logModeTerm - logFactorial(k) - logFactorial(n - k) + (k - mode) * logOdds
            if logHat <= logRatio {
                return Int(k)
            }
        }
    }

    // MARK: - Categorical

    /// An index drawn from a cumulative probability table with one uniform and a linear scan: returns the first i
    /// with u < cumulative[i].
    ///
    /// The table must be non-decreasing and end at 1 (see ``cumulativeTable(weights:)``). If rounding leaves the
    /// last entry below u, the last index with non-zero mass is returned. An empty table is a precondition failure.
    @inlinable
    public static func categorical<G: RandomNumberGenerator>(
        cumulative: UnsafeBufferPointer<Double>, using g: inout G
    ) -> Int {
        let u = uniform(using: &g)
        for i in cumulative.indices where u < cumulative[i] {
            return i
        }
        return lastIndexWithMass(cumulative)
    }

    @usableFromInline
    static func lastIndexWithMass(_ cumulative: UnsafeBufferPointer<Double>) -> Int {
        precondition(!cumulative.isEmpty, "FastSampler.categorical needs a non-empty cumulative table")
        var i = cumulative.count - 1
        while i > 0, cumulative[i] <= cumulative[i - 1] {
            i -= 1
        }
        return i
    }

    /// A cumulative table for ``categorical(cumulative:using:)``: running sums of the normalized weights, with the
    /// last entry set to exactly 1.
    /// - Throws: ``GSLError`` (`GSL_EDOM`) for empty, negative, non-finite or all-zero weights.
    public static func cumulativeTable(weights: [Double]) throws -> [Double] {
        let function = "FastSampler.cumulativeTable(weights:)"
        guard !weights.isEmpty else {
            throw GSL.domainError(function, "weights must not be empty")
        }
        if let index = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            let weight = weights[index]
            throw GSL.domainError(function, "weights must be finite and non-negative (weight \(index) is \(weight))")
        }
        let total = weights.reduce(0, +)
        guard total > 0, total.isFinite else {
            throw GSL.domainError(function, "weights must have a positive, finite sum (got \(total))")
        }
        var table: [Double] = []
        table.reserveCapacity(weights.count)
        var running = 0.0
        for weight in weights {
            running += weight
            table.append(Swift.min(running / total, 1))
        }
        // From the last positive weight on, entries are exactly 1: no rounding gap at the end, and trailing
        // zero weights keep zero mass.
        if let last = weights.lastIndex(where: { $0 > 0 }) {
            for i in last..<table.count {
                table[i] = 1
            }
        }
        return table
    }

    // MARK: - Helpers

    /// log(k!) for a whole number k ≥ 0: an exact product below 10, Stirling's series for log Γ(k + 1) above
    /// (truncated after the 1/(1188 n⁹) term; absolute error below 1e-14 there).
    @inlinable
    static func logFactorial(_ k: Double) -> Double {
        if k < 10 {
            var product = 1.0
            var i = 2.0
            while i <= k {
                product *= i
                i += 1
            }
            return log(product)
        }
        let n = k + 1
        let r = 1 / n
        let r2 = r * r
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        let series = r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))))
        return (n - 0.5) * log(n) - n + halfLogTwoPi + series
    }
}
