#if canImport(Darwin)
    public import Darwin
#elseif canImport(Glibc)
    public import Glibc
#elseif canImport(Musl)
    public import Musl
#endif

extension FastSampler {
    // MARK: - Counts by inversion from a known P(0)

    /// A Poisson(mean) draw by sequential inversion when `probabilityOfZero` = e^(−mean) is already known.
    ///
    /// The day loop draws millions of counts from a handful of means fixed for the day; computing e^(−mean) once
    /// per mean leaves one uniform and, for a zero (the commonest answer), one comparison. Intended for means below
    /// about 30; the loop runs about mean + 1 steps.
    @inlinable
    public static func poisson<G: RandomNumberGenerator>(
        mean: Double, probabilityOfZero: Double, using g: inout G
    ) -> Int {
        guard mean > 0 else { return 0 }
        return countByInversion(probabilityOfZero: probabilityOfZero, using: &g) { k in mean / Double(k) }
    }

    /// The probability that a negative binomial with this mean and dispersion is zero: (k / (k + mean))^k.
    @inlinable
    public static func negativeBinomialProbabilityOfZero(mean: Double, dispersion k: Double) -> Double {
        pow(k / (k + mean), k)
    }

    /// A negative binomial draw (variance mean + mean²/dispersion) by sequential inversion from a known P(0).
    ///
    /// Uses P(j) / P(j − 1) = (j − 1 + k)/j · mean/(k + mean); one uniform per draw, against about 100 ns for the
    /// gamma–Poisson mixture. Intended for means below about 30.
    @inlinable
    public static func negativeBinomial<G: RandomNumberGenerator>(
        mean: Double, dispersion k: Double, probabilityOfZero: Double, using g: inout G
    ) -> Int {
        guard mean > 0, k > 0 else { return 0 }
        let q = mean / (k + mean)
        return countByInversion(probabilityOfZero: probabilityOfZero, using: &g) { j in
            (Double(j) - 1 + k) / Double(j) * q
        }
    }

    /// The smallest k with u < P[X ≤ k], walking the pmf by the ratio P(k)/P(k − 1).
    @inlinable @inline(__always)
    static func countByInversion<G: RandomNumberGenerator>(
        probabilityOfZero: Double, using g: inout G, ratio: (Int) -> Double
    ) -> Int {
        draw: while true {
            let u = uniform(using: &g)
            var k = 0
            var probability = probabilityOfZero
            var cumulative = probability
            while u >= cumulative {
                k += 1
                probability *= ratio(k)
                let next = cumulative + probability
                // The running sum can stall just below u through rounding; draw again (probability ~1e-16).
                if next == cumulative { continue draw }
                cumulative = next
            }
            return k
        }
    }
}
