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

    public var metrics: [Metric]
    public var treatmentCovariate: [Double] = []
    public var controlCovariate: [Double] = []
    /// Indexed users, observed or not.
    public var treatmentIndexed = 0
    public var controlIndexed = 0
    /// Survival from the index day: days and whether churn was observed.
    public var treatmentSurvival: [(days: Double, event: Bool)] = []
    public var controlSurvival: [(days: Double, event: Bool)] = []

    public init(metrics: [Metric]) {
        self.metrics = metrics
    }
}
