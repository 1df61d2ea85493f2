/// A distribution on the counts 0, 1, 2, … backed by GSL, so generic code (tests, goodness-of-fit checks) can
/// treat ``Poisson``, ``Binomial`` and ``NegativeBinomial`` alike.
public protocol CountDistribution: Sendable {
    /// P[X = k]; 0 outside the support.
    func pmf(_ k: Int) -> Double
    /// P[X ≤ k].
    func cdf(_ k: Int) -> Double
    /// P[X > k], computed directly (not as 1 − cdf) so small tails keep their precision.
    func survival(_ k: Int) -> Double
    /// One draw from GSL's sampler.
    func sample(using random: GSLRandom) -> Int
    var mean: Double { get }
    var variance: Double { get }
}

/// A continuous distribution on the real line (or part of it) backed by GSL.
public protocol ContinuousDistribution: Sendable {
    /// Density at `x`; 0 outside the support, `.nan` for a NaN argument.
    func pdf(_ x: Double) -> Double
    /// P[X ≤ x].
    func cdf(_ x: Double) -> Double
    /// P[X > x] from GSL's upper-tail (Q) function, accurate far into the tail.
    func survival(_ x: Double) -> Double
    /// The x with cdf(x) = p. Throws ``GSLError`` (`GSL_EDOM`) for p outside [0, 1].
    func quantile(_ p: Double) throws -> Double
    /// One draw from GSL's sampler.
    func sample(using random: GSLRandom) -> Double
    var mean: Double { get }
    var variance: Double { get }
}

/// GSL takes counts as `unsigned int`; arguments above this are answered in Swift.
enum CountArgument {
    static let maximum = Int(UInt32.max)
}
