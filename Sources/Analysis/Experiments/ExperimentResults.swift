/// `results.json`'s `experiment`: arms, the sample-ratio check, each treatment arm against the
/// control with the raw counts behind every figure, survival, and what each campaign cost.
public struct ExperimentResults: Codable, Sendable {
    public let outcomeDays: Int
    /// How users enter a comparison: the first day a policy of the arm triggered (ghost triggers in
    /// the control), so both groups are measured from the same moment of the same behaviour.
    public var indexDefinition =
        "first trigger of any of the arm's policies; control users are triggered the same way without a send"
    /// The metric declared primary in the scenario (`interventions.experiment.primary_metric`): each arm is
    /// judged on it, with Holm's adjustment across the arms. Every other metric is exploratory.
    public var primaryMetric = ""
    /// `user` or `account`: what was assigned to arms.
    public var randomisation = "user"
    /// The families the adjusted p-values are computed over.
    public var multipleTesting =
        "primary metric: Holm and Benjamini–Hochberg across the treatment arms; exploratory metrics: the same across "
        + "every arm and exploratory metric"
    public let arms: [ArmInfo]
    public let globalControlUsers: Int
    public let sampleRatio: SampleRatio
    public let comparisons: [Comparison]
    public let campaigns: [Campaign]

    public struct ArmInfo: Codable, Sendable {
        public let name: String
        public let weight: Double
        public let control: Bool
        public let policies: [String]
        /// Users assigned and signed up during the run.
        public let users: Int
        /// With accounts randomised, the accounts assigned (the units of the sample-ratio check).
        public var accounts: Int?

        public init(
            name: String, weight: Double, control: Bool, policies: [String], users: Int, accounts: Int? = nil
        ) {
            self.accounts = accounts
            self.name = name
            self.weight = weight
            self.control = control
            self.policies = policies
            self.users = users
        }

    }

    public struct SampleRatio: Codable, Sendable {
        public let observed: [Int]
        public let expectedShares: [Double]
        public let chiSquare: Double?
        public let degreesOfFreedom: Int
        public let pValue: Double?
        /// p < 0.001: the assignment is not what the weights say; do not trust the lifts.
        public let mismatch: Bool
    }

    public struct Comparison: Codable, Sendable {
        public let arm: String
        public let control: String
        public let treatmentIndexed: Int
        public let controlIndexed: Int
        public var metrics: [Lift]
        /// Ratio metrics by the delta method, with the true effect beside each.
        public var ratios: [RatioLift] = []
        public let survival: Survival?
        /// What the arm's campaigns cost, and that cost per retained user gained (measured: the
        /// retention lift times the arm's observed users; true: from the counterfactual).
        public var cost: Double = 0
        public var costPerRetainedUser: Double?
        /// Fieller's 95 % set for the measured cost per retained user gained, the spend counted as known: from
        /// the Wald interval of the gain, so it is bounded exactly when the retention lift is significant.
        public var costPerRetainedUserInterval: RatioInterval?
        public var trueCostPerRetainedUser: Double?
        /// Who responds: the primary metric's lift by the segment on the index day, by persona and by plan.
        public var subgroups: [SubgroupLifts] = []
        /// Who to target: uplift models scored against measured outcomes and true effects.
        public var uplift: UpliftResults?
        /// With accounts randomised: the primary metric compared with accounts as clusters (CR1, Student t with
        /// G − 1 degrees of freedom), the design effect and the intraclass correlation.
        public var clustered: ClusterRobustComparison?
    }

    /// A confidence set for a ratio (``FiellerInterval``): `bounded` is [lower, upper]; `exclusive` is
    /// (−∞, lower] ∪ [upper, ∞); `unbounded` is every number.
    public struct RatioInterval: Codable, Sendable {
        public let shape: FiellerInterval.Shape
        public let lower: Double?
        public let upper: Double?
    }

    public struct Group: Codable, Sendable {
        public let users: Int
        /// For proportions: users with the outcome.
        public let successes: Int?
        public let mean: Double
        public let standardDeviation: Double?
    }

    public struct Lift: Codable, Sendable {
        public let metric: String
        public let kind: String
        /// `primary` for the declared primary metric, `exploratory` for every other.
        public var role = "exploratory"
        public let treatment: Group
        public let control: Group
        /// Treatment minus control, with its 95 % interval (Wald for proportions, Welch for means). The interval
        /// and `p_value` come from the same statistic, so the interval excludes 0 exactly when p < 0.05.
        public let absoluteLift: Double
        public let lower: Double?
        public let upper: Double?
        public let method: String
        /// Treatment over control, minus one.
        public let relativeLift: Double?
        public let relativeLower: Double?
        public let relativeUpper: Double?
        public let pValue: Double?
        /// Adjusted within the lift's family (see `multiple_testing`).
        public var pValueHolm: Double?
        public var pValueBenjaminiHochberg: Double?
        /// CUPED on active days in the 28 days before the index day.
        public let cuped: Cuped?
        /// Lin's regression adjustment on every pre-period covariate, with the no-history indicator.
        public var adjusted: RegressionAdjustment?
        /// For means: both arms capped at the scenario's `winsorize_at` quantile of the pooled values, then Welch.
        public var winsorized: WinsorizedComparison?
        /// Daily looks: the anytime-valid confidence sequence, and the fixed-horizon test read at every look.
        public var sequential: SequentialLooks?
        /// Beta–Binomial (proportions, uniform priors) or normal (means, flat prior) posterior of the difference.
        public var bayesian: BayesianSummary?
        /// Mean over the treatment users of their treated outcome minus their counterfactual
        /// outcome: the effect the measured lift estimates, known only to a simulator.
        public let trueEffect: Double
        /// The same over the control users the counterfactual run re-simulated (a sample: campaigns
        /// leave the others' days untouched); 0 unless users influence each other.
        public let controlCounterfactualDifference: Double
        public let trueEffectCovered: Bool?
        /// For proportions: the smallest increase over the control's rate that these group sizes
        /// detect with 80 % power at α = 0.05 (the two-sided Wald z test reported, normal approximation).
        public let minimumDetectableEffect: Double?
        /// For proportions: the power of this comparison's test to detect the true effect at these
        /// group sizes (analytic, α = 0.05) — how often an experiment like this one would see it.
        public let powerForTrueEffect: Double?
    }

    /// A ratio metric compared between the arms, and its true effect: the treatment arm's ratio minus the same
    /// users' ratio in the counterfactual run.
    public struct RatioLift: Codable, Sendable {
        public let metric: String
        public let test: RatioMetricTest
        public let trueEffect: Double?
        public let trueEffectCovered: Bool?
    }

    public struct Cuped: Codable, Sendable {
        /// Pooled over both arms: covariance of outcome and covariate over the covariate's variance.
        public let theta: Double
        /// The covariate's summaries per arm, from which θ, the adjusted means and their standard errors can be
        /// recomputed with the arms' outcome means and standard deviations (docs/experiments.md).
        public let treatmentCovariate: CovariateSummary
        public let controlCovariate: CovariateSummary
        /// 1 − (adjusted standard error / raw standard error)².
        public let varianceReduction: Double?
        public let absoluteLift: Double
        public let lower: Double?
        public let upper: Double?
        public let pValue: Double?
    }

    /// One arm's covariate: users, mean, sample variance (divisor n − 1) and sample covariance with the outcome.
    public struct CovariateSummary: Codable, Sendable {
        public let users: Int
        public let mean: Double
        public let variance: Double
        public let covarianceWithOutcome: Double

        public init(users: Int, mean: Double, variance: Double, covarianceWithOutcome: Double) {
            self.users = users
            self.mean = mean
            self.variance = variance
            self.covarianceWithOutcome = covarianceWithOutcome
        }
    }

    public struct Survival: Codable, Sendable {
        public var definition =
            "days from the index day to the day that completes the first run of 30 consecutive days without a "
            + "session starting on or after the index day (idle days before the index day do not count); censored "
            + "at the end of the run"
        public let treatment: [CurvePoint]
        public let control: [CurvePoint]
        /// The longest time any user of each group was followed: the curves say nothing beyond it.
        public let treatmentFollowUpDays: Double
        public let controlFollowUpDays: Double
        public let logRankChiSquare: Double?
        public let logRankPValue: Double?
        public let observedEvents: [Int]?
        public let expectedEvents: [Double]?
        /// Why the log-rank test could not be computed on this run (no lapse observed, say).
        public let logRankNotComputable: String?
        /// Per day with an event or a censoring, the users at risk, the events and the censorings of the
        /// treatment arm and of the control (in that order): the log-rank test and both curves can be
        /// recomputed from it.
        public let logRankTable: [LogRankRow]
    }

    public struct LogRankRow: Codable, Sendable {
        public let day: Double
        public let atRisk: [Int]
        public let events: [Int]
        public let censored: [Int]
    }

    public struct CurvePoint: Codable, Sendable {
        public let day: Double
        public let atRisk: Int
        public let events: Int
        public let survival: Double
        public let lower: Double?
        public let upper: Double?
    }

    public struct Campaign: Codable, Sendable {
        public let policy: String
        public let channel: String
        public let arms: [String]
        public let triggered: Int
        public let sends: Int
        public let delivered: Int
        public let opened: Int
        public let unsubscribes: Int
        public let upgradePromptsAccepted: Int
        public let notSent: [String: Int]
        public let costPerSend: Double
        public let cost: Double

        public init(
            policy: String, channel: String, arms: [String], triggered: Int, sends: Int, delivered: Int, opened: Int,
            unsubscribes: Int, upgradePromptsAccepted: Int, notSent: [String: Int], costPerSend: Double, cost: Double
        ) {
            self.policy = policy
            self.channel = channel
            self.arms = arms
            self.triggered = triggered
            self.sends = sends
            self.delivered = delivered
            self.opened = opened
            self.unsubscribes = unsubscribes
            self.upgradePromptsAccepted = upgradePromptsAccepted
            self.notSent = notSent
            self.costPerSend = costPerSend
            self.cost = cost
        }

    }
}

extension ExperimentResults {
    public init(
        outcomeDays: Int, arms: [ArmInfo], globalControlUsers: Int, sampleRatio: SampleRatio,
        comparisons: [Comparison], campaigns: [Campaign]
    ) {
        self.outcomeDays = outcomeDays
        self.arms = arms
        self.globalControlUsers = globalControlUsers
        self.sampleRatio = sampleRatio
        self.comparisons = comparisons
        self.campaigns = campaigns
    }
}

extension ExperimentResults.Comparison {
    /// Sets what the arm's campaigns cost and that cost per retained user gained: measured (the
    /// retention lift, the first metric, times the arm's observed users) and true (the same with
    /// the true effect); `nil` when nobody was gained.
    ///
    /// The interval is Fieller's for cost / gain with the cost known (counted, not sampled) and the gain's
    /// variance from the Wald interval of the retention lift: n₁ × (upper − lower) / (2 z).
    public mutating func charge(_ cost: Double) throws {
        self.cost = cost
        guard let retention = metrics.first else { return }
        let users = Double(retention.treatment.users)
        let gained = retention.absoluteLift * users
        let trulyGained = retention.trueEffect * users
        costPerRetainedUser = gained > 0 ? cost / gained : nil
        trueCostPerRetainedUser = trulyGained > 0 ? cost / trulyGained : nil
        if cost > 0, let lower = retention.lower, let upper = retention.upper {
            let z = try ExperimentError.normalCritical(0.95)
            let se = users * (upper - lower) / (2 * z)
            let fieller = try FiellerInterval(
                numerator: cost, denominator: gained, numeratorVariance: 0, denominatorVariance: se * se)
            costPerRetainedUserInterval = ExperimentResults.RatioInterval(
                shape: fieller.shape, lower: fieller.lower, upper: fieller.upper)
        }
    }
}
