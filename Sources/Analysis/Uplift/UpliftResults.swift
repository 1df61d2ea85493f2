/// Who to target in one comparison: uplift models fitted on one half of its indexed users and scored on the
/// other half, against the measured outcome (as uplift libraries do) and against each treated user's true
/// effect, with the targeting policies they imply.
public struct UpliftResults: Codable, Sendable {
    public struct Learner: Codable, Sendable {
        public let kind: UpliftLearner.Kind
        /// Features a model of either arm left out (constant or collinear among that arm's fitting users).
        public let droppedFeatures: [String]
        public let evaluation: UpliftEvaluation
        /// Everyone triggered, the model's top k and the oracle's top k, for each share k.
        public let targeting: [TargetingComparison]

        public init(
            kind: UpliftLearner.Kind, droppedFeatures: [String], evaluation: UpliftEvaluation,
            targeting: [TargetingComparison]
        ) {
            self.kind = kind
            self.droppedFeatures = droppedFeatures
            self.evaluation = evaluation
            self.targeting = targeting
        }
    }

    /// The binary outcome the models predict.
    public let metric: String
    /// The observable features at the index day each model reads.
    public let features: [String]
    public let fittingUsers: Int
    public let scoringUsers: Int
    /// The value of one more retained user in the targeting comparison's net value (currency).
    public let valuePerOutcome: Double
    public let learners: [Learner]

    public init(
        metric: String, features: [String], fittingUsers: Int, scoringUsers: Int, valuePerOutcome: Double,
        learners: [Learner]
    ) {
        self.metric = metric
        self.features = features
        self.fittingUsers = fittingUsers
        self.scoringUsers = scoringUsers
        self.valuePerOutcome = valuePerOutcome
        self.learners = learners
    }
}
