/// `results.json`'s `experiment`: arms, the sample-ratio check, each treatment arm against the
/// control with the raw counts behind every figure, survival, and what each campaign cost.
public struct ExperimentResults: Codable, Sendable {
    public let outcomeDays: Int
    /// How users enter a comparison: the first day a policy of the arm triggered (ghost triggers in
    /// the control), so both groups are measured from the same moment of the same behaviour.
    public var indexDefinition =
        "first trigger of any of the arm's policies; control users are triggered the same way without a send"
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

        public init(name: String, weight: Double, control: Bool, policies: [String], users: Int) {
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
        public let survival: Survival?
        /// What the arm's campaigns cost, and that cost per retained user gained (measured: the
        /// retention lift times the arm's observed users; true: from the counterfactual).
        public var cost: Double = 0
        public var costPerRetainedUser: Double?
        public var trueCostPerRetainedUser: Double?
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
        public let treatment: Group
        public let control: Group
        /// Treatment minus control, with its 95 % interval (Newcombe for proportions, Welch for means).
        public let absoluteLift: Double
        public let lower: Double?
        public let upper: Double?
        public let method: String
        /// Treatment over control, minus one.
        public let relativeLift: Double?
        public let relativeLower: Double?
        public let relativeUpper: Double?
        public let pValue: Double?
        public var pValueHolm: Double?
        public var pValueBenjaminiHochberg: Double?
        /// CUPED on active days in the 28 days before the index day.
        public let cuped: Cuped?
        /// Mean over the treatment users of their treated outcome minus their counterfactual
        /// outcome: the effect the measured lift estimates, known only to a simulator.
        public let trueEffect: Double
        /// The same over the control users the counterfactual run re-simulated (a sample: campaigns
        /// leave the others' days untouched); 0 unless users influence each other.
        public let controlCounterfactualDifference: Double
        public let trueEffectCovered: Bool?
        /// For proportions: the smallest increase over the control's rate that these group sizes
        /// detect with 80 % power at α = 0.05 (two-sided pooled z test, normal approximation).
        public let minimumDetectableEffect: Double?
        /// For proportions: the power of this comparison's test to detect the true effect at these
        /// group sizes (analytic, α = 0.05) — how often an experiment like this one would see it.
        public let powerForTrueEffect: Double?
    }

    public struct Cuped: Codable, Sendable {
        public let theta: Double
        /// 1 − (adjusted standard error / raw standard error)².
        public let varianceReduction: Double?
        public let absoluteLift: Double
        public let lower: Double?
        public let upper: Double?
        public let pValue: Double?
    }

    public struct Survival: Codable, Sendable {
        public var definition = "days from the index day until 30 days without a session had passed"
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
    public mutating func charge(_ cost: Double) {
        self.cost = cost
        guard let retention = metrics.first else { return }
        let gained = retention.absoluteLift * Double(retention.treatment.users)
        let trulyGained = retention.trueEffect * Double(retention.treatment.users)
        costPerRetainedUser = gained > 0 ? cost / gained : nil
        trueCostPerRetainedUser = trulyGained > 0 ? cost / trulyGained : nil
    }
}
