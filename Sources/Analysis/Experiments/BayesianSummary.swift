import Stats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Bayesian reading of one comparison of a treatment arm with its control: the posterior of the difference
/// D = treatment − control, the probability that treatment beats control, the expected loss of each choice, and an
/// equal-tailed credible interval for D.
///
/// The expected loss of a choice is what it gives up on average if it is the wrong one (Stucchio 2015, "Bayesian A/B
/// Testing at VWO", VWO whitepaper): E[max(0, control − treatment)] for choosing treatment and
/// E[max(0, treatment − control)] for choosing control. The second minus the first is E[D].
///
/// Two models, by constructor:
/// - ``proportions(treatmentSuccesses:treatmentTrials:controlSuccesses:controlTrials:prior:credibleLevel:)``:
///   Beta–Binomial. Each rate has the prior Beta(a, b) (default Beta(1, 1), uniform), so after x successes in n
///   trials its posterior is Beta(a + x, b + n − x), independently for the two arms. The chance to beat control and
///   both losses are exact finite sums (Evan Miller 2015, "Formulas for Bayesian A/B testing"; Stucchio 2015); the
///   credible interval inverts the exact distribution function of D, computed by Gauss–Legendre quadrature.
/// - ``means(treatment:control:prior:credibleLevel:)``: normal approximation. The observed difference
///   x̄₁ − x̄₀ is taken as normal around D with variance V = s₁²/n₁ + s₀²/n₀; the prior on D is flat (improper,
///   the default) or normal N(μ₀, τ²); the posterior is normal and every figure is in closed form. This is the model
///   of GrowthBook gbstats' `EffectBayesianABTest` with an absolute difference.
public struct BayesianSummary: Sendable, Hashable, Codable {
    public enum Model: String, Sendable, Hashable, Codable {
        /// Independent Beta posteriors of the two rates.
        case betaBinomial = "beta_binomial"
        /// A normal posterior of the difference in means.
        case normal
    }

    public let model: Model
    /// The prior in words, e.g. "Beta(1, 1) on each rate" or "flat (improper) on the difference".
    public let prior: String
    /// E[D].
    public let posteriorMean: Double
    /// √Var(D).
    public let posteriorStandardDeviation: Double
    /// P(D > 0).
    public let probabilityTreatmentBetter: Double
    /// E[max(0, −D)]: the expected loss of choosing treatment.
    public let expectedLossChoosingTreatment: Double
    /// E[max(0, D)]: the expected loss of choosing control.
    public let expectedLossChoosingControl: Double
    /// Posterior probability of [``credibleLower``, ``credibleUpper``], e.g. 0.95.
    public let credibleLevel: Double
    /// The (1 − level)/2 posterior quantile of D.
    public let credibleLower: Double
    /// The (1 + level)/2 posterior quantile of D.
    public let credibleUpper: Double

    /// [credibleLower, credibleUpper].
    public var credibleInterval: ClosedRange<Double> { credibleLower...credibleUpper }
}

// MARK: - Beta–Binomial

extension BayesianSummary {
    /// The Beta(a, b) prior of each rate, with whole-number parameters.
    ///
    /// Whole numbers keep every posterior parameter whole, which the exact sums need, and a, b ≥ 1 keep the posterior
    /// densities bounded, which the quadrature of the credible interval needs. Beta(1, 1) is uniform; Jeffreys'
    /// Beta(½, ½) is not available.
    public struct BetaPrior: Sendable, Hashable, Codable {
        public let a: Int
        public let b: Int

        /// - Throws: ``ExperimentError/invalidArgument(_:)`` unless a ≥ 1 and b ≥ 1.
        public init(a: Int, b: Int) throws {
            guard a >= 1, b >= 1 else {
                throw ExperimentError.invalidArgument("a Beta prior needs whole a, b ≥ 1 (got \(a), \(b))")
            }
            self.a = a
            self.b = b
        }

        /// Beta(1, 1).
        public static let uniform = BetaPrior(unchecked: 1, 1)

        private init(unchecked a: Int, _ b: Int) {
            self.a = a
            self.b = b
        }
    }

    /// The Beta–Binomial summary of x₁ of n₁ treatment users against x₀ of n₀ control users.
    ///
    /// With T ~ Beta(α₁, β₁) and C ~ Beta(α₀, β₀) the posteriors (α = a + x, β = b + n − x), and h(A, B) = P(B > A)
    /// for independent Beta variables with B's first parameter whole (Miller 2015, equation for Pr(p_B > p_A)):
    ///
    ///     h = Σᵢ₌₀^{α_B − 1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A)),
    ///
    /// the probability is h(C, T), and the losses follow from E[C 1{C > T}] = α₀/(α₀ + β₀) · P(C⁺ > T) with
    /// C⁺ ~ Beta(α₀ + 1, β₀) (Stucchio 2015):
    ///
    ///     E[max(0, C − T)] = α₀/(α₀+β₀) · h(T, C⁺) − α₁/(α₁+β₁) · h(T⁺, C),
    ///     E[max(0, T − C)] = α₁/(α₁+β₁) · h(C, T⁺) − α₀/(α₀+β₀) · h(C⁺, T).
    ///
    /// The terms of h are summed in logarithms through the ratio of consecutive terms,
    /// (α_A + i)(β_B + i) / ((α_A + β_A + β_B + i)(1 + i)), from the first term
    /// B(α_A, β_A + β_B)/B(α_A, β_A) = Πⱼ₌₀^{β_B − 1} (β_A + j)/(α_A + β_A + j): no log-gamma of large arguments, so
    /// the relative error stays near the rounding of the sum itself, even for hundreds of thousands of trials.
    ///
    /// The credible interval solves P(D ≤ d) = (1 ∓ level)/2 by the Illinois method, with P(D ≤ d) =
    /// ∫ f_T(y) P(C ≥ y − d) dy (or the mirror image over C, whichever posterior is narrower) by 16-point
    /// Gauss–Legendre quadrature on 12 panels between the narrower posterior's 10⁻¹⁶ and 1 − 10⁻¹⁶ quantiles, with
    /// the wider posterior's kinks at the ends of its support as panel ends (the tests' references are met with 6
    /// panels as well: the integrand is smooth over panels under two standard deviations wide).
    ///
    /// - Parameters:
    ///   - treatmentSuccesses: x₁, in `0...treatmentTrials`.
    ///   - treatmentTrials: n₁ ≥ 2.
    ///   - controlSuccesses: x₀, in `0...controlTrials`.
    ///   - controlTrials: n₀ ≥ 2.
    ///   - prior: The Beta prior of each rate; Beta(1, 1) by default.
    ///   - credibleLevel: In (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for impossible counts or a level outside (0, 1);
    ///   ``ExperimentError/insufficientData(_:)`` for an arm with fewer than two trials.
    /// - Complexity: O(n₁ + n₀) for the sums, plus a fixed number of quadratures for the interval.
    public static func proportions(
        treatmentSuccesses: Int, treatmentTrials: Int, controlSuccesses: Int, controlTrials: Int,
        prior: BetaPrior = .uniform, credibleLevel: Double = 0.95
    ) throws -> BayesianSummary {
        try ExperimentError.checkConfidence(credibleLevel)
        let arms = [("treatment", treatmentSuccesses, treatmentTrials), ("control", controlSuccesses, controlTrials)]
        for (arm, x, n) in arms {
            guard x >= 0, x <= n else {
                throw ExperimentError.invalidArgument("\(arm) needs 0 ≤ successes ≤ trials (got \(x) of \(n))")
            }
            guard n >= 2 else {
                throw ExperimentError.insufficientData("the \(arm) arm needs at least two trials (got \(n))")
            }
        }
        let t = BetaParameters(
            alpha: prior.a + treatmentSuccesses, beta: prior.b + treatmentTrials - treatmentSuccesses)
        let c = BetaParameters(alpha: prior.a + controlSuccesses, beta: prior.b + controlTrials - controlSuccesses)
        let (tPlus, cPlus) = (t.raisingAlpha, c.raisingAlpha)

        let lossTreatment = c.mean * probabilitySecondExceeds(t, cPlus) - t.mean * probabilitySecondExceeds(tPlus, c)
        let lossControl = t.mean * probabilitySecondExceeds(c, tPlus) - c.mean * probabilitySecondExceeds(cPlus, t)
        let (lower, upper) = try differenceInterval(treatment: t, control: c, level: credibleLevel)
        return BayesianSummary(
            model: .betaBinomial, prior: "Beta(\(prior.a), \(prior.b)) on each rate",
            posteriorMean: t.mean - c.mean, posteriorStandardDeviation: (t.variance + c.variance).squareRoot(),
            probabilityTreatmentBetter: probabilitySecondExceeds(c, t),
            expectedLossChoosingTreatment: max(0, lossTreatment), expectedLossChoosingControl: max(0, lossControl),
            credibleLevel: credibleLevel, credibleLower: lower, credibleUpper: upper)
    }

    /// A Beta(α, β) posterior with whole parameters.
    struct BetaParameters {
        let alpha: Int
        let beta: Int

        var mean: Double { Double(alpha) / Double(alpha + beta) }
        var variance: Double {
            let (a, b) = (Double(alpha), Double(beta))
            return a * b / ((a + b) * (a + b) * (a + b + 1))
        }
        var raisingAlpha: BetaParameters { BetaParameters(alpha: alpha + 1, beta: beta) }
        func distribution() throws -> Beta { try Beta(a: Double(alpha), b: Double(beta)) }
    }

    /// P(B > A) for independent A ~ Beta(α_A, β_A), B ~ Beta(α_B, β_B), by Miller's (2015) sum over α_B terms.
    ///
    /// The logarithms of the terms are running sums of up to n small logarithms whose total reaches thousands for
    /// large arms; they are added with Neumaier's compensation, which keeps their error near one rounding of the
    /// total instead of n of them.
    static func probabilitySecondExceeds(_ first: BetaParameters, _ second: BetaParameters) -> Double {
        let (aA, bA) = (Double(first.alpha), Double(first.beta))
        let bB = Double(second.beta)
        // log of the first term, B(α_A, β_A + β_B) / B(α_A, β_A).
        var logTerm = CompensatedSum()
        for j in 0..<second.beta {
            logTerm.add(log1p(-aA / (aA + bA + Double(j))))
        }
        // Σ exp(logTermᵢ), kept as exp(largest) × scaled so that neither underflows nor overflows.
        var largest = logTerm.value
        var scaled = 1.0
        for i in 1..<max(1, second.alpha) {
            let k = Double(i - 1)
            logTerm.add(log((aA + k) * (bB + k) / ((aA + bA + bB + k) * (k + 1))))
            let current = logTerm.value
            if current > largest {
                scaled = scaled * exp(largest - current) + 1
                largest = current
            } else {
                scaled += exp(current - largest)
            }
        }
        return min(1, exp(largest) * scaled)
    }

    /// Neumaier's (1974) improvement of Kahan's compensated summation.
    struct CompensatedSum {
        private var sum = 0.0
        private var compensation = 0.0

        var value: Double { sum + compensation }

        mutating func add(_ x: Double) {
            let total = sum + x
            compensation += abs(sum) >= abs(x) ? (sum - total) + x : (x - total) + sum
            sum = total
        }
    }

    /// The equal-tailed interval of D = T − C at `level`.
    private static func differenceInterval(
        treatment: BetaParameters, control: BetaParameters, level: Double
    ) throws -> (Double, Double) {
        let cdf = try DifferenceDistribution(treatment: treatment, control: control)
        let mean = treatment.mean - control.mean
        let sd = (treatment.variance + control.variance).squareRoot()
        return (
            cdf.quantile((1 - level) / 2, mean: mean, standardDeviation: sd),
            cdf.quantile((1 + level) / 2, mean: mean, standardDeviation: sd)
        )
    }

    /// The distribution function of T − C for independent Beta posteriors, by quadrature over the narrower one.
    private struct DifferenceDistribution {
        let narrow: Beta
        let wide: Beta
        /// The narrower posterior is the treatment's, so D = narrow − wide (otherwise D = wide − narrow).
        let narrowIsTreatment: Bool
        /// Panel ends over the narrower posterior's effective support.
        let lower: Double
        let upper: Double

        static let panels = 12
        static let tail = 1e-16

        init(treatment: BetaParameters, control: BetaParameters) throws {
            narrowIsTreatment = treatment.variance <= control.variance
            let (n, w) = narrowIsTreatment ? (treatment, control) : (control, treatment)
            narrow = try n.distribution()
            wide = try w.distribution()
            lower = try narrow.quantile(Self.tail)
            upper = 1 - (try Beta(a: narrow.b, b: narrow.a).quantile(Self.tail))
        }

        /// P(T − C ≤ d).
        func cdf(_ d: Double) -> Double {
            // With Y the narrower variable and X the wider: D ≤ d is X ≥ Y − d when Y = T, and X ≤ Y + d when Y = C.
            let shift = narrowIsTreatment ? -d : d
            var ends = (0...Self.panels).map { lower + (upper - lower) * Double($0) / Double(Self.panels) }
            // The wider variable's distribution function has kinks where y + shift is 0 or 1.
            for kink in [-shift, 1 - shift] where kink > lower && kink < upper { ends.append(kink) }
            ends.sort()
            var total = 0.0
            for (a, b) in zip(ends, ends.dropFirst()) where b > a {
                let (mid, half) = ((a + b) / 2, (b - a) / 2)
                var panel = 0.0
                for (node, weight) in zip(GaussLegendre.nodes, GaussLegendre.weights) {
                    for y in [mid - half * node, mid + half * node] {
                        let x = y + shift
                        let inner = narrowIsTreatment ? wide.survival(x) : wide.cdf(x)
                        panel += weight * narrow.pdf(y) * inner
                    }
                }
                total += half * panel
            }
            return min(1, max(0, total))
        }

        /// The d with P(D ≤ d) = p, by the Illinois variant of regula falsi (Dowell and Jarratt 1971, BIT 11) on a
        /// bracket of ten standard deviations around the mean (all of [−1, 1] when that does not bracket p), until the
        /// bracket is narrower than 1e-14: a dozen evaluations of the distribution function where bisection to the
        /// last bits takes sixty.
        func quantile(_ p: Double, mean: Double, standardDeviation: Double) -> Double {
            var (low, high) = (max(-1, mean - 10 * standardDeviation), min(1, mean + 10 * standardDeviation))
            var (fLow, fHigh) = (cdf(low) - p, cdf(high) - p)
            if !(fLow < 0 && fHigh > 0) {
                (low, high) = (-1, 1)
                (fLow, fHigh) = (-p, 1 - p)
            }
            var kept = 0
            for _ in 0..<200 where high - low > 1e-14 {
                var next = (low * fHigh - high * fLow) / (fHigh - fLow)
                if !(next > low && next < high) { next = (low + high) / 2 }
                let f = cdf(next) - p
                if f == 0 { return next }
                if f < 0 {
                    (low, fLow) = (next, f)
                    if kept < 0 { fHigh /= 2 }
                    kept = -1
                } else {
                    (high, fHigh) = (next, f)
                    if kept > 0 { fLow /= 2 }
                    kept = 1
                }
            }
            return (low + high) / 2
        }
    }

    /// The positive nodes of the 16-point Gauss–Legendre rule on [−1, 1] and their weights, by Newton's method on
    /// the Legendre polynomial P₁₆ (Press et al. 2007, Numerical Recipes, 3rd ed., section 4.6, `gauleg`).
    enum GaussLegendre {
        static let order = 16
        static let (nodes, weights): ([Double], [Double]) = {
            var nodes: [Double] = []
            var weights: [Double] = []
            let n = Double(order)
            for i in 1...(order / 2) {
                var z = cos(Double.pi * (Double(i) - 0.25) / (n + 0.5))
                var derivative = 0.0
                for _ in 0..<100 {
                    var (p1, p2) = (1.0, 0.0)
                    for j in 1...order {
                        let p3 = p2
                        p2 = p1
                        p1 = ((2 * Double(j) - 1) * z * p2 - (Double(j) - 1) * p3) / Double(j)
                    }
                    derivative = n * (z * p1 - p2) / (z * z - 1)
                    let step = p1 / derivative
                    z -= step
                    if abs(step) < 1e-16 { break }
                }
                nodes.append(z)
                weights.append(2 / ((1 - z * z) * derivative * derivative))
            }
            return (nodes, weights)
        }()
    }
}

// MARK: - Normal approximation

extension BayesianSummary {
    /// A normal prior N(mean, variance) on the absolute difference in means.
    public struct NormalPrior: Sendable, Hashable, Codable {
        public let mean: Double
        public let variance: Double

        /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a non-finite mean or a variance that is not positive
        ///   and finite.
        public init(mean: Double, variance: Double) throws {
            guard mean.isFinite, variance.isFinite, variance > 0 else {
                throw ExperimentError.invalidArgument(
                    "a normal prior needs a finite mean and a positive finite variance (got \(mean), \(variance))")
            }
            self.mean = mean
            self.variance = variance
        }
    }

    /// The normal-approximation summary of a difference in means (or in rates, as means of 0/1 values).
    ///
    /// With m = x̄₁ − x̄₀ and V = s₁²/n₁ + s₀²/n₀, the posterior of D is N(μ, σ²) with, under the flat prior, μ = m and
    /// σ² = V, and under the prior N(μ₀, τ²) the conjugate update σ² = 1/(1/V + 1/τ²), μ = σ² (m/V + μ₀/τ²)
    /// (Gelman et al. 2013, Bayesian Data Analysis, 3rd ed., section 2.5). Then, with φ and Φ the standard
    /// normal density and distribution function and z = μ/σ,
    ///
    ///     P(D > 0) = Φ(z),
    ///     E[max(0, −D)] = σ φ(z) − μ Φ(−z),   E[max(0, D)] = σ φ(z) + μ Φ(z),
    ///
    /// the normal partial expectations, and the credible interval is μ ± Φ⁻¹((1 + level)/2) σ.
    ///
    /// - Parameters:
    ///   - treatment: The treatment arm's count, mean and sample variance.
    ///   - control: The control arm's.
    ///   - prior: `nil` for the flat (improper) prior, otherwise a normal prior on the difference.
    ///   - credibleLevel: In (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a level outside (0, 1);
    ///   ``ExperimentError/insufficientData(_:)`` when both arms are constant, so V = 0 and the likelihood is
    ///   degenerate.
    public static func means(
        treatment: ArmSummary, control: ArmSummary, prior: NormalPrior? = nil, credibleLevel: Double = 0.95
    ) throws -> BayesianSummary {
        let z = try ExperimentError.normalCritical(credibleLevel)
        let observed = treatment.mean - control.mean
        let variance = treatment.variance / Double(treatment.count) + control.variance / Double(control.count)
        guard variance > 0 else {
            throw ExperimentError.insufficientData("both arms are constant, so the difference has no variance")
        }
        let (mean, sd): (Double, Double)
        let description: String
        if let prior {
            let precision = 1 / variance + 1 / prior.variance
            mean = (observed / variance + prior.mean / prior.variance) / precision
            sd = (1 / precision).squareRoot()
            description = "normal (mean \(prior.mean), variance \(prior.variance)) on the difference"
        } else {
            (mean, sd) = (observed, variance.squareRoot())
            description = "flat (improper) on the difference"
        }
        let standard = try Normal(mean: 0, sd: 1)
        let ratio = mean / sd
        let density = standard.pdf(ratio)
        return BayesianSummary(
            model: .normal, prior: description, posteriorMean: mean, posteriorStandardDeviation: sd,
            probabilityTreatmentBetter: standard.cdf(ratio),
            expectedLossChoosingTreatment: sd * density - mean * standard.cdf(-ratio),
            expectedLossChoosingControl: sd * density + mean * standard.cdf(ratio),
            credibleLevel: credibleLevel, credibleLower: mean - z * sd, credibleUpper: mean + z * sd)
    }
}
