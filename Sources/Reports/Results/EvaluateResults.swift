public import Analysis

/// `results.json` of `segmentlab evaluate`.
public struct EvaluateResults: Codable, Sendable {
    public let schemaVersion: Int
    public let source: ImportResults.Source
    public let `import`: ImportResults.Summary
    public let cutoff: String
    public let horizonDays: Int
    /// Churn on a log: no key action in the horizon.
    public var churnDefinition = "no key action in the horizon after the cutoff"
    public let transitions: TransitionResults
    public let churnPrediction: PredictionResults
    /// Retention and conversion in the horizon by segment on the cutoff day.
    public let segmentOutcomes: [String: HorizonOutcome]
    /// An experiment measured on the log from its exposure table (`--assignments`), or nil.
    public var experiment: LogExperimentResults?

    public init(
        schemaVersion: Int, source: ImportResults.Source, import summary: ImportResults.Summary, cutoff: String,
        horizonDays: Int, transitions: TransitionResults, churnPrediction: PredictionResults,
        segmentOutcomes: [String: HorizonOutcome]
    ) {
        self.schemaVersion = schemaVersion
        self.source = source
        self.import = summary
        self.cutoff = cutoff
        self.horizonDays = horizonDays
        self.transitions = transitions
        self.churnPrediction = churnPrediction
        self.segmentOutcomes = segmentOutcomes
    }
}

/// An experiment's primary outcome measured on an event log: for each user of the exposure table, a
/// session in the 7 days ending `outcomeDays` after their index day, as a run measures `retention_day_D`.
public struct LogExperimentResults: Codable, Sendable {
    public let assignments: String
    public let outcomeDays: Int
    public let comparisons: [Comparison]

    public init(assignments: String, outcomeDays: Int, comparisons: [Comparison]) {
        self.assignments = assignments
        self.outcomeDays = outcomeDays
        self.comparisons = comparisons
    }

    public struct Arm: Codable, Sendable {
        public let name: String
        /// Users whose outcome day is in the log, and those of them with a session in its 7 days.
        public let users: Int
        public let retained: Int
        public let rate: Double?

        public init(name: String, users: Int, retained: Int) {
            self.name = name
            self.users = users
            self.retained = retained
            rate = users > 0 ? Double(retained) / Double(users) : nil
        }
    }

    public struct Comparison: Codable, Sendable {
        public let name: String
        public let treatment: Arm
        public let control: Arm
        /// Exposed users whose outcome day falls after the log's last day: not counted.
        public let notYetObserved: Int
        /// Counted users of whom the log holds no event at all (every event lost, or logged under another
        /// id): not retained, as the log says.
        public let absentFromLog: Int
        /// Treatment rate minus control rate with the run's statistics for a proportion (Wald's 95 %
        /// interval and the z test it inverts), so a faithful log reproduces the run's figures; nil when an
        /// arm is empty (or, for the interval and p-value, when neither arm varies).
        public let difference: Double?
        public let lower: Double?
        public let upper: Double?
        public let pValue: Double?

        public init(
            name: String, treatment: Arm, control: Arm, notYetObserved: Int, absentFromLog: Int,
            lift: TwoProportions?
        ) {
            self.name = name
            self.treatment = treatment
            self.control = control
            self.notYetObserved = notYetObserved
            self.absentFromLog = absentFromLog
            difference = lift?.difference
            lower = lift?.waldInterval?.lowerBound
            upper = lift?.waldInterval?.upperBound
            pValue = lift?.waldPValue
        }
    }
}
