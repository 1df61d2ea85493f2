/// `results.json`'s `experiment`: arms, the sample-ratio check, each treatment arm against the
/// control with the raw counts behind every figure, survival, and what each campaign cost.
struct ExperimentResults: Encodable {
    let outcomeDays: Int
    /// How users enter a comparison: the first day a policy of the arm triggered (ghost triggers in
    /// the control), so both groups are measured from the same moment of the same behaviour.
    let indexDefinition =
        "first trigger of any of the arm's policies; control users are triggered the same way without a send"
    let arms: [ArmInfo]
    let globalControlUsers: Int
    let sampleRatio: SampleRatio
    let comparisons: [Comparison]
    let campaigns: [Campaign]

    struct ArmInfo: Encodable {
        let name: String
        let weight: Double
        let control: Bool
        let policies: [String]
        /// Users assigned and signed up during the run.
        let users: Int
    }

    struct SampleRatio: Encodable {
        let observed: [Int]
        let expectedShares: [Double]
        let chiSquare: Double?
        let degreesOfFreedom: Int
        let pValue: Double?
        /// p < 0.001: the assignment is not what the weights say; do not trust the lifts.
        let mismatch: Bool
    }

    struct Comparison: Encodable {
        let arm: String
        let control: String
        let treatmentIndexed: Int
        let controlIndexed: Int
        var metrics: [Lift]
        let survival: Survival?
        /// What the arm's campaigns cost, and that cost per retained user gained (measured: the
        /// retention lift times the arm's observed users; true: from the counterfactual).
        var cost: Double = 0
        var costPerRetainedUser: Double?
        var trueCostPerRetainedUser: Double?
    }

    struct Group: Encodable {
        let users: Int
        /// For proportions: users with the outcome.
        let successes: Int?
        let mean: Double
        let standardDeviation: Double?
    }

    struct Lift: Encodable {
        let metric: String
        let kind: String
        let treatment: Group
        let control: Group
        /// Treatment minus control, with its 95 % interval (Newcombe for proportions, Welch for means).
        let absoluteLift: Double
        let lower: Double?
        let upper: Double?
        let method: String
        /// Treatment over control, minus one.
        let relativeLift: Double?
        let relativeLower: Double?
        let relativeUpper: Double?
        let pValue: Double?
        var pValueHolm: Double?
        var pValueBenjaminiHochberg: Double?
        /// CUPED on active days in the 28 days before the index day.
        let cuped: Cuped?
        /// Mean over the treatment users of their treated outcome minus their counterfactual
        /// outcome: the effect the measured lift estimates, known only to a simulator.
        let trueEffect: Double
        /// The same over control users; 0 unless users influence each other.
        let controlCounterfactualDifference: Double
        let trueEffectCovered: Bool?
        /// For proportions: the smallest increase over the control's rate that these group sizes
        /// detect with 80 % power at α = 0.05 (two-sided pooled z test, normal approximation).
        let minimumDetectableEffect: Double?
        /// For proportions: the power of this comparison's test to detect the true effect at these
        /// group sizes (analytic, α = 0.05) — how often an experiment like this one would see it.
        let powerForTrueEffect: Double?
    }

    struct Cuped: Encodable {
        let theta: Double
        /// 1 − (adjusted standard error / raw standard error)².
        let varianceReduction: Double?
        let absoluteLift: Double
        let lower: Double?
        let upper: Double?
        let pValue: Double?
    }

    struct Survival: Encodable {
        let definition = "days from the index day until 30 days without a session had passed"
        let treatment: [CurvePoint]
        let control: [CurvePoint]
        /// The longest time any user of each group was followed: the curves say nothing beyond it.
        let treatmentFollowUpDays: Double
        let controlFollowUpDays: Double
        let logRankChiSquare: Double?
        let logRankPValue: Double?
        let observedEvents: [Int]?
        let expectedEvents: [Double]?
        /// Why the log-rank test could not be computed on this run (no lapse observed, say).
        let logRankNotComputable: String?
    }

    struct CurvePoint: Encodable {
        let day: Double
        let atRisk: Int
        let events: Int
        let survival: Double
        let lower: Double?
        let upper: Double?
    }

    struct Campaign: Encodable {
        let policy: String
        let channel: String
        let arms: [String]
        let triggered: Int
        let sends: Int
        let delivered: Int
        let opened: Int
        let unsubscribes: Int
        let upgradePromptsAccepted: Int
        let notSent: [String: Int]
        let costPerSend: Double
        let cost: Double
    }
}
