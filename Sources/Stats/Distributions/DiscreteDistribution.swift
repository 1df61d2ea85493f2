import CGSL

/// A distribution over the indices `0..<count` with given weights, sampled in O(1) by Walker's alias method
/// (GSL's `gsl_ran_discrete_t`).
///
/// `@unchecked Sendable`: the lookup table is written once by `gsl_ran_discrete_preproc` and only read afterwards
/// (`gsl_ran_discrete` and `gsl_ran_discrete_pdf` take it as `const`), so sharing it across threads is safe.
public final class DiscreteDistribution: @unchecked Sendable {
    private let table: UnsafeMutablePointer<gsl_ran_discrete_t>

    /// Number of categories (the length of the weights).
    public let count: Int

    /// - Parameter weights: Relative weights, normalized by GSL. Must be non-empty, finite, non-negative, with a
    ///   positive finite sum; zero weights are allowed and are never drawn.
    public init(weights: [Double]) throws {
        GSL.ensureInitialized()
        let function = "gsl_ran_discrete_preproc"
        guard !weights.isEmpty else {
            throw GSL.domainError(function, "weights must not be empty")
        }
        if let index = weights.firstIndex(where: { !$0.isFinite }) {
            throw GSL.domainError(function, "weights must be finite (weight \(index) is \(weights[index]))")
        }
        if let index = weights.firstIndex(where: { $0 < 0 }) {
            throw GSL.domainError(
                function, "probabilities must be non-negative (weight \(index) is \(weights[index]))")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else {
            throw GSL.domainError(function, "weights must not all be zero")
        }
        guard total.isFinite else {
            throw GSL.domainError(function, "the sum of the weights must be finite (weights are too large)")
        }
        let created = weights.withUnsafeBufferPointer { gsl_ran_discrete_preproc($0.count, $0.baseAddress) }
        guard let created else {
            throw GSLError(code: GSLError.noMemory, reason: "could not build the alias table", function: function)
        }
        table = created
        count = weights.count
    }

    deinit {
        gsl_ran_discrete_free(table)
    }

    /// An index in `0..<count`, drawn with probability proportional to its weight (`gsl_ran_discrete`).
    public func sample(using random: GSLRandom) -> Int {
        Int(gsl_ran_discrete(random.pointer, table))
    }

    /// The normalized probability of index `k` (`gsl_ran_discrete_pdf`, recovered from the alias table);
    /// 0 outside `0..<count`.
    public func probability(of k: Int) -> Double {
        guard k >= 0, k < count else { return 0 }
        return gsl_ran_discrete_pdf(k, table)
    }
}
