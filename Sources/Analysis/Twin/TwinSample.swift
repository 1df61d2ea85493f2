/// What the twin report measures on one population, the real log's or the twin's, gathered from its days: each
/// user's time to churn and to value, who used each feature and reached each milestone, the active users of every
/// week and the segments of every evaluation.
public struct TwinSample: Sendable {
    /// Users signed up within the days observed.
    public var users: Int
    /// Per user: days from sign-up to the day that completed the first run of ``churnGapDays`` days without a key
    /// action (the run may start on the sign-up day), or to the last day observed (censored).
    public var churn: [SurvivalObservation]
    /// Per user: days from sign-up to activation, or to the last day observed (censored).
    public var timeToValue: [SurvivalObservation]
    /// Per feature, users who used it at least once.
    public var featureUsers: [Int]
    /// Per milestone, users who reached it.
    public var milestoneUsers: [Int]
    /// Users by funnel stage: stage k holds those who reached the first k milestones (in the taxonomy's order) but
    /// not milestone k; `milestones + 1` stages.
    public var funnelStages: [Int]
    /// Active users on the days of the weekly points.
    public var activity: [Activity]
    /// Segment sizes at each evaluation, over ``TwinComparison/Labels/segments``.
    public var evaluations: [Evaluation]
    /// Transitions between consecutive evaluations, clustered by user.
    public var transitions: TransitionMoments

    /// Days without a key action after which a user counts as churned.
    public static let churnGapDays = 28

    public struct Activity: Sendable, Equatable {
        public let day: Int
        public let signedUp: Int
        /// Users active that day, in the 7 days and in the 28 days ending that day.
        public let daily: Int
        public let weekly: Int
        public let monthly: Int

        public init(day: Int, signedUp: Int, daily: Int, weekly: Int, monthly: Int) {
            self.day = day
            self.signedUp = signedUp
            self.daily = daily
            self.weekly = weekly
            self.monthly = monthly
        }
    }

    public struct Evaluation: Sendable, Equatable {
        public let day: Int
        public let date: String
        public let signedUp: Int
        /// Users per segment, then those no segment matched.
        public let sizes: [Int]

        public init(day: Int, date: String, signedUp: Int, sizes: [Int]) {
            self.day = day
            self.date = date
            self.signedUp = signedUp
            self.sizes = sizes
        }
    }

    public init(
        users: Int, churn: [SurvivalObservation], timeToValue: [SurvivalObservation], featureUsers: [Int],
        milestoneUsers: [Int], funnelStages: [Int], activity: [Activity], evaluations: [Evaluation],
        transitions: TransitionMoments
    ) {
        self.users = users
        self.churn = churn
        self.timeToValue = timeToValue
        self.featureUsers = featureUsers
        self.milestoneUsers = milestoneUsers
        self.funnelStages = funnelStages
        self.activity = activity
        self.evaluations = evaluations
        self.transitions = transitions
    }
}
