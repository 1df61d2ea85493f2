/// A release of the product: from a calendar day on, key actions per session and each feature's use are multiplied by
/// factors (a scenario's `product_changes`, without a change of the session rate, which the model's states carry).
///
/// In a ``HiddenMarkovModel`` the emissions are those before the first release; a day in period p (after p releases)
/// has key actions per session κ_s · Π_{j<p} keyActionFactor_j and feature probabilities p_sf · Π_{j<p} featureFactor_jf.
public struct ProductRelease: Sendable, Hashable {
    /// First calendar day the release applies to (0 is the first day of the log; ``UserDaySequences/signupDay(user:)``).
    public var day: Int
    /// Multiplier of key actions per session over the period before, > 0.
    public var keyActionFactor: Double
    /// Multiplier of each feature's probability over the period before, > 0; the product with any state's
    /// probability stays below 1.
    public var featureFactors: [Double]

    public init(day: Int, keyActionFactor: Double, featureFactors: [Double]) {
        self.day = day
        self.keyActionFactor = keyActionFactor
        self.featureFactors = featureFactors
    }
}

extension HiddenMarkovModel {
    /// Periods of the log: one more than the releases.
    public var periods: Int { releases.count + 1 }

    /// The cumulative key-action factor of each period, 1 before the first release.
    public var periodKeyActionFactors: [Double] {
        var factors = [1.0]
        for release in releases { factors.append(factors.last! * release.keyActionFactor) }
        return factors
    }

    /// The cumulative factor of feature f in period p, at `p · featureCount + f`.
    public var periodFeatureFactors: [Double] {
        var factors = [Double](repeating: 1, count: featureCount)
        for (j, release) in releases.enumerated() {
            for f in 0..<featureCount { factors.append(factors[j * featureCount + f] * release.featureFactors[f]) }
        }
        return factors
    }

    /// Key actions per session of live state s in period p, κ_s · M_p, at `p · S + s`.
    public var periodKeyActionRates: [Double] {
        periodKeyActionFactors.flatMap { factor in emissions.map { $0.keyActionsPerSession * factor } }
    }

    /// The probability of feature f in live state s and period p, min(1, p_sf · M_pf), at `(p · S + s) · F + f`.
    public var periodFeatureProbabilities: [Double] {
        let factors = periodFeatureFactors
        return (0..<periods).flatMap { p in
            emissions.flatMap { emission in
                (0..<featureCount).map { min(1, emission.featureProbabilities[$0] * factors[p * featureCount + $0]) }
            }
        }
    }

    /// The period of a calendar day: the releases on or before it.
    public func period(ofCalendarDay day: Int) -> Int {
        var p = 0
        while p < releases.count && releases[p].day <= day { p += 1 }
        return p
    }
}
