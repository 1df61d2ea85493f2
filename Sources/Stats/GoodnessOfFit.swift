/// The outcome of a Pearson chi-square goodness-of-fit test.
public struct ChiSquareTest: Sendable, Equatable {
    /// Pearson's statistic Σ (observed − expected)² / expected over the bins used.
    public let statistic: Double
    /// Bins used − 1.
    public let degreesOfFreedom: Int
    /// P[χ²(degreesOfFreedom) > statistic], from GSL's upper tail (accurate for tiny p-values).
    public let pValue: Double
    /// Number of bins the statistic was computed over, after pooling sparse bins (= degreesOfFreedom + 1).
    public let pooledBins: Int

    public init(statistic: Double, degreesOfFreedom: Int, pValue: Double, pooledBins: Int) {
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
        self.pooledBins = pooledBins
    }
}

/// Pearson chi-square tests of observed counts against a fully specified distribution.
///
/// Degrees of freedom are bins − 1: no parameters are estimated from the data. When a caller fits parameters to
/// the same data, the test is anti-conservative (its p-values are too large) unless the df are reduced.
public enum GoodnessOfFit {
    /// Tests counts against probabilities, pooling sparse bins so the χ² approximation holds.
    ///
    /// Expected counts are total × probability. Scanning left to right, adjacent bins are merged until the
    /// merged expected count reaches `minimumExpected` (and is positive); a remainder left at the end is merged
    /// into the last bin. Give the tail mass of an unbounded distribution as the last probability and count the
    /// matching observations in the last bin.
    /// - Parameters:
    ///   - observed: Non-negative counts, at least one positive.
    ///   - expectedProbabilities: Same length, finite, non-negative, summing to 1 within 1e-6.
    ///   - minimumExpected: Smallest expected count per pooled bin (default 5, the usual rule of thumb).
    /// - Throws: ``GSLError`` (`GSL_EDOM`) on invalid input or when fewer than two bins remain after pooling.
    public static func chiSquare(
        observed: [Int], expectedProbabilities: [Double], minimumExpected: Double = 5
    ) throws -> ChiSquareTest {
        let function = "GoodnessOfFit.chiSquare(observed:expectedProbabilities:)"
        try validate(observed: observed, otherCount: expectedProbabilities.count, function: function)
        guard minimumExpected.isFinite, minimumExpected >= 0 else {
            throw GSL.domainError(function, "minimumExpected must be finite and non-negative (got \(minimumExpected))")
        }
        if let index = expectedProbabilities.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            let probability = expectedProbabilities[index]
            throw GSL.domainError(
                function, "probabilities must be finite and non-negative (probability \(index) is \(probability))")
        }
        let probabilitySum = expectedProbabilities.reduce(0, +)
        guard abs(probabilitySum - 1) <= 1e-6 else {
            throw GSL.domainError(function, "probabilities must sum to 1 (sum is \(probabilitySum))")
        }

        let total = Double(observed.reduce(0, +))
        var pooledObserved: [Double] = []
        var pooledExpected: [Double] = []
        var runObserved = 0.0
        var runExpected = 0.0
        for (count, probability) in zip(observed, expectedProbabilities) {
            runObserved += Double(count)
            runExpected += total * probability
            if runExpected >= minimumExpected, runExpected > 0 {
                pooledObserved.append(runObserved)
                pooledExpected.append(runExpected)
                runObserved = 0
                runExpected = 0
            }
        }
        if runObserved > 0 || runExpected > 0 {
            if pooledObserved.isEmpty {
                pooledObserved.append(runObserved)
                pooledExpected.append(runExpected)
            } else {
                pooledObserved[pooledObserved.count - 1] += runObserved
                pooledExpected[pooledExpected.count - 1] += runExpected
            }
        }
        guard pooledObserved.count >= 2 else {
            let reason = "fewer than two bins remain after pooling to minimumExpected \(minimumExpected)"
            throw GSL.domainError(function, reason + "; more observations are needed")
        }
        return try test(observed: pooledObserved, expected: pooledExpected, function: function)
    }

    /// Tests counts against given expected counts, bin by bin, without pooling — e.g. a sample-ratio-mismatch check
    /// of arm sizes against total × planned share.
    /// - Parameters:
    ///   - observed: Non-negative counts, at least two bins.
    ///   - expected: Same length, each positive and finite, summing to the observed total (relative 1e-6).
    /// - Throws: ``GSLError`` (`GSL_EDOM`) on invalid input.
    public static func chiSquare(observed: [Int], expected: [Double]) throws -> ChiSquareTest {
        let function = "GoodnessOfFit.chiSquare(observed:expected:)"
        try validate(observed: observed, otherCount: expected.count, function: function)
        if let index = expected.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw GSL.domainError(
                function, "expected counts must be positive and finite (expected \(index) is \(expected[index]))")
        }
        guard observed.count >= 2 else {
            throw GSL.domainError(function, "at least two bins are needed")
        }
        let total = Double(observed.reduce(0, +))
        let expectedTotal = expected.reduce(0, +)
        guard abs(expectedTotal - total) <= 1e-6 * total else {
            throw GSL.domainError(
                function, "expected counts must sum to the observed total \(Int(total)) (sum is \(expectedTotal))")
        }
        return try test(observed: observed.map(Double.init), expected: expected, function: function)
    }

    private static func validate(observed: [Int], otherCount: Int, function: String) throws {
        guard observed.count == otherCount else {
            throw GSL.domainError(
                function, "observed and expected must have the same length (\(observed.count) vs \(otherCount))")
        }
        if let index = observed.firstIndex(where: { $0 < 0 }) {
            throw GSL.domainError(
                function, "observed counts must be non-negative (count \(index) is \(observed[index]))")
        }
        guard observed.contains(where: { $0 > 0 }) else {
            throw GSL.domainError(function, "there are no observations")
        }
    }

    private static func test(observed: [Double], expected: [Double], function: String) throws -> ChiSquareTest {
        var statistic = 0.0
        for (o, e) in zip(observed, expected) {
            let difference = o - e
            statistic += difference * difference / e
        }
        let degreesOfFreedom = observed.count - 1
        let pValue = try ChiSquared(degreesOfFreedom: Double(degreesOfFreedom)).survival(statistic)
        return ChiSquareTest(
            statistic: statistic, degreesOfFreedom: degreesOfFreedom, pValue: pValue, pooledBins: observed.count)
    }
}
