import Analysis
import Foundation
import Testing

// Reference values, Beta–Binomial: the probability and both losses from Evan Miller's sum and Stucchio's loss formula
// in 40-digit arithmetic (mpmath 1.4.1), confirmed by SciPy 1.17.1 `integrate.quad` of independent integrals, which
// agree with them to 2e-15 relative (quad's own error estimates are below 1e-14 absolute):
//
//     import mpmath; from scipy import stats, integrate, optimize
//     mpmath.mp.dps = 40
//     def miller(aA, bA, aB, bB):  # P(B > A) for A ~ Beta(aA, bA), B ~ Beta(aB, bB)
//         return sum(mpmath.beta(aA + i, bA + bB) / ((bB + i) * mpmath.beta(1 + i, bB) * mpmath.beta(aA, bA))
//                    for i in range(aB))
//     # T ~ Beta(a1, b1), C ~ Beta(a0, b0) the posteriors; mt, mc their means
//     win = miller(a0, b0, a1, b1)
//     loss_t = mc * miller(a1, b1, a0 + 1, b0) - mt * miller(a1 + 1, b1, a0, b0)   # E[max(0, C − T)]
//     loss_c = mt * miller(a0, b0, a1 + 1, b1) - mc * miller(a0 + 1, b0, a1, b1)   # E[max(0, T − C)]
//     # checks: quad of ∫ f_C S_T (win), ∫ F_T S_C (loss_t), ∫ F_C S_T (loss_c) over [0, 1], split at the posteriors'
//     # 1e-17 quantiles and every half standard deviation, epsabs=1e-17, epsrel=1e-14.
//
// The credible interval: P(T − C ≤ d) as quad of ∫ f_T(y) S_C(y − d) dy (or ∫ f_C(x) F_T(x + d) dx, over whichever
// posterior is narrower) on the same pieces, solved by `optimize.brentq(..., xtol=1e-16, rtol=1e-15)`. Tolerance: the
// quadratures on either side are accurate far beyond 1e-12, but GSL's Beta density, which the Swift code integrates,
// is not: against mpmath's it is off by 7e-11 relative for parameters near 5 × 10⁴ (Beta(5001, 45001), measured at
// seven points), a scale error that passes into P(D ≤ d) and moves the quantile q by about 7e-11 · P / f_D(q). For
// the 5210/50000 case that is 2e-12 absolute, 3e-10 relative, and the observed differences are 1.2e-10 and 2.7e-10;
// for the smaller cases the differences are below 5e-13. So 1e-9, the next decade up.
// The closed forms agree with the 40-digit sums to 6e-13 or better; 1e-9 is the suite's closed-form tolerance.

@Suite("Experiments: Bayesian summaries")
struct BayesianSummaryTests {
    struct BetaCase: Sendable, CustomTestStringConvertible {
        let counts: (Int, Int, Int, Int)
        let prior: (Int, Int)
        let win: Double
        let lossTreatment: Double
        let lossControl: Double
        let interval: (Double, Double)

        var testDescription: String { "\(counts) with Beta\(prior)" }
    }

    static let betaCases: [BetaCase] = [
        BetaCase(
            counts: (130, 1000, 100, 1000), prior: (1, 1), win: 0.98216506611635052185,
            lossTreatment: 0.000092374491504707061978, lossControl: 0.030032494251983748978,
            interval: (0.002008521661732674, 0.057979289887833865)),
        BetaCase(
            counts: (12, 40, 9, 45), prior: (1, 1), win: 0.85392167206009785987,
            lossTreatment: 0.0069064212613657260742, lossControl: 0.10366427333836673925,
            interval: (-0.08328060318850251, 0.27748063553183105)),
        // Treatment worse.
        BetaCase(
            counts: (3, 20, 8, 20), prior: (1, 1), win: 0.042746719969379292747,
            lossTreatment: 0.22966544768870350266, lossControl: 0.0023927204159762299297,
            interval: (-0.47758824560877716, 0.03281970928155066)),
        BetaCase(
            counts: (5210, 50000, 5000, 50000), prior: (1, 1), win: 0.98585456155675838889,
            lossTreatment: 9.5409122418679638849e-6, lossControl: 0.0042093729189615991746,
            interval: (0.00044669622516019844, 0.007953358190626978)),
        BetaCase(
            counts: (30, 200, 25, 210), prior: (2, 8), win: 0.81532345602702345095,
            lossTreatment: 0.0033348961456350842769, lossControl: 0.032988575799314737957,
            interval: (-0.03513444661144464, 0.09505909109434582)),
        // No treatment successes: T ~ Beta(1, 31), whose density is largest at 0.
        BetaCase(
            counts: (0, 30, 1, 400), prior: (1, 1), win: 0.86147632551344848329,
            lossTreatment: 0.00052191250572898913184, lossControl: 0.026796788127619536396,
            interval: (-0.006343576714743213, 0.10741067107270973)),
    ]

    @Test(arguments: betaCases) func betaBinomialMatchesExactSums(_ c: BetaCase) throws {
        let summary = try BayesianSummary.proportions(
            treatmentSuccesses: c.counts.0, treatmentTrials: c.counts.1, controlSuccesses: c.counts.2,
            controlTrials: c.counts.3, prior: BayesianSummary.BetaPrior(a: c.prior.0, b: c.prior.1))
        #expect(summary.model == .betaBinomial)
        #expect(isNear(summary.probabilityTreatmentBetter, c.win))
        #expect(isNear(summary.expectedLossChoosingTreatment, c.lossTreatment))
        #expect(isNear(summary.expectedLossChoosingControl, c.lossControl))
        #expect(isNear(summary.credibleLower, c.interval.0))
        #expect(isNear(summary.credibleUpper, c.interval.1))
        // E[max(0, D)] − E[max(0, −D)] = E[D], and the posterior moments of two independent Betas.
        let (a1, b1) = (Double(c.prior.0 + c.counts.0), Double(c.prior.1 + c.counts.1 - c.counts.0))
        let (a0, b0) = (Double(c.prior.0 + c.counts.2), Double(c.prior.1 + c.counts.3 - c.counts.2))
        let mean = a1 / (a1 + b1) - a0 / (a0 + b0)
        #expect(isNear(summary.posteriorMean, mean, relative: 1e-14))
        #expect(abs(summary.expectedLossChoosingControl - summary.expectedLossChoosingTreatment - mean) < 1e-15)
        let variance =
            a1 * b1 / ((a1 + b1) * (a1 + b1) * (a1 + b1 + 1)) + a0 * b0 / ((a0 + b0) * (a0 + b0) * (a0 + b0 + 1))
        #expect(isNear(summary.posteriorStandardDeviation, variance.squareRoot(), relative: 1e-14))
    }

    /// Swapping the arms turns the probability into its complement and swaps the losses and the interval's ends.
    @Test func swappingTheArmsMirrorsEverything() throws {
        let forward = try BayesianSummary.proportions(
            treatmentSuccesses: 12, treatmentTrials: 40, controlSuccesses: 9, controlTrials: 45)
        let backward = try BayesianSummary.proportions(
            treatmentSuccesses: 9, treatmentTrials: 45, controlSuccesses: 12, controlTrials: 40)
        #expect(abs(forward.probabilityTreatmentBetter + backward.probabilityTreatmentBetter - 1) < 1e-14)
        #expect(isNear(forward.expectedLossChoosingTreatment, backward.expectedLossChoosingControl, relative: 1e-14))
        #expect(isNear(forward.credibleLower, -backward.credibleUpper, relative: 1e-12))
    }

    // Reference values, normal model: gbstats 0.8.0 `EffectBayesianABTest` with
    // EffectBayesianConfig(difference_type="absolute", prior_type="absolute", alpha=0.05, prior_effect=...), the arms
    // given as SampleMeanStatistic(n, n × mean, (n − 1) × variance + n × mean²) (control first); its risk is
    // [E[max(0, D)], E[max(0, −D)]]. The closed forms σφ(z) ± μΦ(±z) in SciPy 1.17.1 agree with gbstats'
    // truncated-normal route to 3e-13 relative.
    struct NormalCase: Sendable, CustomTestStringConvertible {
        let treatment: (Int, Double, Double)
        let control: (Int, Double, Double)
        /// (mean, variance) of a proper prior, or `nil` for gbstats' GaussianPrior(proper=False).
        let prior: (Double, Double)?
        let mean: Double
        let sd: Double
        let win: Double
        let interval: (Double, Double)
        /// gbstats' risk[1], risk[0].
        let lossTreatment: Double
        let lossControl: Double

        var testDescription: String { "\(treatment) against \(control), prior \(String(describing: prior))" }
    }

    static let normalCases: [NormalCase] = [
        NormalCase(
            treatment: (1200, 10.4, 30.25), control: (1180, 9.9, 28.0), prior: nil, mean: 0.5,
            sd: 0.2212174199575055, win: 0.9880961947307858, interval: (0.06642182413041697, 0.9335781758695829),
            lossTreatment: 0.0009094914374755147, lossControl: 0.5009094914374755),
        NormalCase(
            treatment: (1200, 10.4, 30.25), control: (1180, 9.9, 28.0), prior: (0, 0.04), mean: 0.22487791320919523,
            sd: 0.14835689044754333, win: 0.9352137882286797, interval: (-0.06589624892634413, 0.5156520753447346),
            lossTreatment: 0.004193740298325581, lossControl: 0.2290716535075208),
        NormalCase(
            treatment: (25, 12.3, 9.7), control: (31, 10.1, 4.2), prior: (0.5, 1.0), mean: 1.6158634708223936,
            sd: 0.5861823291823554, win: 0.9970796098247543, interval: (0.4669672172511745, 2.7647597243936124),
            lossTreatment: 0.0005157100824773956, lossControl: 1.616379180904871),
        // 130 of 1000 against 100 of 1000 as 0/1 means (sample variances x(n − x)/(n(n − 1))).
        NormalCase(
            treatment: (1000, 0.13, 0.11321321321321322), control: (1000, 0.1, 0.09009009009009009), prior: nil,
            mean: 0.03, sd: 0.014258446735297057, win: 0.9823114741261698,
            interval: (0.002053957923335046, 0.05794604207666494), lossTreatment: 9.121018674280483e-05,
            lossControl: 0.030091210186742805),
        // Treatment worse.
        NormalCase(
            treatment: (400, 3.0, 16.0), control: (420, 3.9, 20.0), prior: nil, mean: -0.8999999999999999,
            sd: 0.29600514796038196, win: 0.0011809768470154333,
            interval: (-1.4801594292407985, -0.31984057075920147), lossTreatment: 0.9000979745624279,
            lossControl: 9.797456242802719e-05),
    ]

    @Test(arguments: normalCases) func normalModelMatchesGbstats(_ c: NormalCase) throws {
        let prior = try c.prior.map { try BayesianSummary.NormalPrior(mean: $0.0, variance: $0.1) }
        let summary = try BayesianSummary.means(
            treatment: ArmSummary(count: c.treatment.0, mean: c.treatment.1, variance: c.treatment.2),
            control: ArmSummary(count: c.control.0, mean: c.control.1, variance: c.control.2), prior: prior)
        #expect(summary.model == .normal)
        #expect(isNear(summary.posteriorMean, c.mean))
        #expect(isNear(summary.posteriorStandardDeviation, c.sd))
        #expect(isNear(summary.probabilityTreatmentBetter, c.win))
        #expect(isNear(summary.credibleLower, c.interval.0))
        #expect(isNear(summary.credibleUpper, c.interval.1))
        #expect(isNear(summary.expectedLossChoosingTreatment, c.lossTreatment))
        #expect(isNear(summary.expectedLossChoosingControl, c.lossControl))
    }

    @Test func invalidInputThrows() throws {
        let arm = try ArmSummary(count: 10, mean: 1, variance: 1)
        let constant = try ArmSummary(count: 10, mean: 1, variance: 0)
        for level in [0, 1, .nan] {
            #expect(throws: ExperimentError.self) {
                try BayesianSummary.means(treatment: arm, control: arm, credibleLevel: level)
            }
            #expect(throws: ExperimentError.self) {
                try BayesianSummary.proportions(
                    treatmentSuccesses: 1, treatmentTrials: 10, controlSuccesses: 1, controlTrials: 10,
                    credibleLevel: level)
            }
        }
        #expect(throws: ExperimentError.self) { try BayesianSummary.means(treatment: constant, control: constant) }
        #expect(throws: ExperimentError.self) { try BayesianSummary.NormalPrior(mean: 0, variance: 0) }
        #expect(throws: ExperimentError.self) { try BayesianSummary.NormalPrior(mean: .nan, variance: 1) }
        #expect(throws: ExperimentError.self) { try BayesianSummary.BetaPrior(a: 0, b: 1) }
        let tooFew = ExperimentError.insufficientData("the control arm needs at least two trials (got 1)")
        #expect(throws: tooFew) {
            try BayesianSummary.proportions(
                treatmentSuccesses: 1, treatmentTrials: 10, controlSuccesses: 1, controlTrials: 1)
        }
        #expect(throws: ExperimentError.self) {
            try BayesianSummary.proportions(
                treatmentSuccesses: 11, treatmentTrials: 10, controlSuccesses: 1, controlTrials: 10)
        }
    }

    /// Encoded as the results file encodes (snake-case keys), and decoded back unchanged.
    @Test func encodesWithSnakeCaseKeys() throws {
        let summary = try BayesianSummary.proportions(
            treatmentSuccesses: 12, treatmentTrials: 40, controlSuccesses: 9, controlTrials: 45)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(summary)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["model"] as? String == "beta_binomial")
        #expect(object["prior"] as? String == "Beta(1, 1) on each rate")
        #expect(object["expected_loss_choosing_treatment"] != nil && object["probability_treatment_better"] != nil)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(BayesianSummary.self, from: data) == summary)
    }
}
