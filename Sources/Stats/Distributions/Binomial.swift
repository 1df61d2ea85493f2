import CGSL

/// Binomial distribution: successes in `trials` independent trials with success probability `p`.
public struct Binomial: CountDistribution, Hashable {
    /// Success probability per trial.
    public let p: Double
    /// Number of trials.
    public let trials: Int

    /// - Parameters:
    ///   - p: Success probability in [0, 1].
    ///   - trials: In `0...UInt32.max` (GSL's `unsigned int`).
    public init(p: Double, trials: Int) throws {
        GSL.ensureInitialized()
        try Check.probability(p, "p", in: "Binomial(p:trials:)")
        guard trials >= 0, trials <= CountArgument.maximum else {
            throw GSL.domainError(
                "Binomial(p:trials:)", "trials must be in [0, \(CountArgument.maximum)] (got \(trials))")
        }
        self.p = p
        self.trials = trials
    }

    public var mean: Double { Double(trials) * p }
    public var variance: Double { Double(trials) * p * (1 - p) }

    public func pmf(_ k: Int) -> Double {
        guard k >= 0, k <= trials else { return 0 }
        return gsl_ran_binomial_pdf(UInt32(k), p, UInt32(trials))
    }

    public func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        guard k < trials else { return 1 }
        return gsl_cdf_binomial_P(UInt32(k), p, UInt32(trials))
    }

    public func survival(_ k: Int) -> Double {
        guard k >= 0 else { return 1 }
        guard k < trials else { return 0 }
        return gsl_cdf_binomial_Q(UInt32(k), p, UInt32(trials))
    }

    /// One draw from `gsl_ran_binomial`.
    public func sample(using random: GSLRandom) -> Int {
        Int(gsl_ran_binomial(random.pointer, p, UInt32(trials)))
    }
}
