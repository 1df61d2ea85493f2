/// The outcomes of one comparison as plain numbers: per metric, one value per observed user of
/// the treatment arm and of the control, each user's covariate, and for treatment users the same
/// outcome in the counterfactual run.
public struct ComparisonSamples: Sendable {
    public struct Metric: Sendable {
        public let name: String
        /// Proportions are 0/1 per user; means are any number.
        public let isProportion: Bool
        public var treatment: [Double] = []
        public var control: [Double] = []
        /// Treated outcome minus counterfactual outcome, per treatment user.
        public var trueDifference: [Double] = []
        /// The same for control users: always 0 when nothing leaks between users.
        public var controlDifference: [Double] = []

        public init(name: String, isProportion: Bool) {
            self.name = name
            self.isProportion = isProportion
        }
    }

    /// A ratio metric Σ numerator / Σ denominator over an arm's observed users, as additive moments: the
    /// treatment arm, the control, and the treatment arm's users in the counterfactual run (for the true effect).
    public struct Ratio: Sendable {
        public let name: String
        public var treatment = RatioMoments()
        public var control = RatioMoments()
        public var treatmentCounterfactual = RatioMoments()

        public init(name: String) { self.name = name }
    }

    public var metrics: [Metric]
    public var ratios: [Ratio] = []
    public var treatmentCovariate: [Double] = []
    public var controlCovariate: [Double] = []
    /// Pre-period covariates of each observed user for the regression adjustment, named by
    /// ``historyNames``; `nil` for a user indexed on their sign-up day, who has no history.
    public var treatmentHistory: [[Double]?] = []
    public var controlHistory: [[Double]?] = []
    /// The day of the run each observed user's outcome became known (index day + outcome days), for the
    /// sequential looks.
    public var treatmentOutcomeDay: [Int] = []
    public var controlOutcomeDay: [Int] = []
    /// Indexed users, observed or not.
    public var treatmentIndexed = 0
    public var controlIndexed = 0
    /// Survival from the index day: days and whether churn was observed.
    public var treatmentSurvival: [(days: Double, event: Bool)] = []
    public var controlSurvival: [(days: Double, event: Bool)] = []

    /// The pre-period covariates, measured at the end of the index day: active days in the 28 days up to it,
    /// sessions per day since sign-up, revenue to date, and days since sign-up.
    public static let historyNames = ["active_days_28", "sessions_per_day", "revenue_to_date", "tenure_days"]

    public init(metrics: [Metric]) {
        self.metrics = metrics
    }
}
