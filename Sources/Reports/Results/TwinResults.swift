public import Analysis

/// `twin.json` of `segmentlab twin`: a real event log and its twin, a scenario simulated over the same days,
/// measured the same way, figure by figure, with the goodness of fit of each.
public struct TwinResults: Codable, Sendable {
    public let schemaVersion: Int
    public let source: ImportResults.Source
    public let `import`: ImportResults.Summary
    public let scenario: Scenario
    /// Users of the log signed up within it, and users of the twin.
    public let realUsers: Int
    public let twinUsers: Int
    /// Level of every interval.
    public let confidence: Double
    public let twinLog: String
    public let activeDefinition: String
    public let churnDefinition: String
    public let activationDefinition: String
    public let figures: [TwinFigure]
    /// Days from sign-up to churn and to activation: the Kaplan–Meier medians with their intervals.
    public let medianDaysToChurn: Medians
    public let medianDaysToValue: Medians

    public struct Scenario: Codable, Sendable {
        /// The file's name, without its folder.
        public let file: String
        public let name: String
        public let seed: UInt64
        public let startDate: String
        public let days: Int
        public let users: Int
        public let signupDays: Int

        public init(file: String, name: String, seed: UInt64, startDate: String, days: Int, users: Int, signupDays: Int)
        {
            self.file = file
            self.name = name
            self.seed = seed
            self.startDate = startDate
            self.days = days
            self.users = users
            self.signupDays = signupDays
        }
    }

    public struct Medians: Codable, Sendable {
        public let real: TwinMedian
        public let twin: TwinMedian

        public init(real: TwinMedian, twin: TwinMedian) {
            self.real = real
            self.twin = twin
        }
    }

    public init(
        schemaVersion: Int, source: ImportResults.Source, import summary: ImportResults.Summary, scenario: Scenario,
        realUsers: Int, twinUsers: Int, activationDefinition: String, comparison: TwinComparison
    ) {
        self.schemaVersion = schemaVersion
        self.source = source
        self.import = summary
        self.scenario = scenario
        self.realUsers = realUsers
        self.twinUsers = twinUsers
        confidence = 0.95
        twinLog =
            "the simulator's observed usage of every user-day of the twin: what a faithful event log of the scenario "
            + "holds (no event lost, duplicated or late, whatever the scenario's data_quality says)"
        activeDefinition =
            "a session, or key actions or feature use without a session event (a day fit counts as one session)"
        churnDefinition =
            "no key action for \(TwinSample.churnGapDays) days in a row (a run may start on the sign-up day), dated "
            + "by the day that completes the run; a user whose log ends first is censored on its last day"
        self.activationDefinition = activationDefinition
        figures = comparison.figures
        medianDaysToChurn = Medians(real: comparison.churnMedian.real, twin: comparison.churnMedian.twin)
        medianDaysToValue = Medians(real: comparison.valueMedian.real, twin: comparison.valueMedian.twin)
    }
}
