/// What the twin report measures on one population, the real log's or the twin's, gathered from its days: each
/// user's time to churn and to value, who used each feature and reached each milestone, the active users of every
/// week and the segments of every evaluation.
///
/// Users come in clusters, their accounts: the users of an account sign up on one day and share a persona, so they
/// are not independent draws. Every count is kept per account (as the moments of cluster-robust variances), and
/// every interval of the report treats the account as its unit.
public struct TwinSample: Sendable {
    /// Users signed up within the days observed.
    public var users: Int
    /// Per user: days from sign-up to the day that completed the first run of ``churnGapDays`` days without a key
    /// action (the run may start on the sign-up day), or to the last day observed (censored).
    public var churn: [SurvivalObservation]
    /// Per user: days from sign-up to activation, or to the last day observed (censored).
    public var timeToValue: [SurvivalObservation]
    /// Per user, in the order of ``churn`` and ``timeToValue``: the account.
    public var accounts: [Int]
    /// Per feature, the users who used it at least once, of those signed up, per account.
    public var featureUsers: [ClusteredRatioMoments]
    /// Per milestone, the users who reached it, of those signed up, per account.
    public var milestoneUsers: [ClusteredRatioMoments]
    /// Users by funnel stage, per account: stage k holds those who reached the first k milestones (in the
    /// taxonomy's order) but not milestone k; `milestones + 1` stages.
    public var funnelStages: ClusteredCategoryMoments
    /// Active users on the days of the weekly points.
    public var activity: [Activity]
    /// Segment sizes at each evaluation, over ``TwinComparison/Labels/segments``.
    public var evaluations: [Evaluation]
    /// Transitions between consecutive evaluations, clustered by account.
    public var transitions: TransitionMoments

    /// Days without a key action after which a user counts as churned.
    public static let churnGapDays = 28

    public struct Activity: Sendable, Equatable {
        public let day: Int
        /// Users active that day, in the 7 days and in the 28 days ending that day, of those signed up, per account.
        public let daily: ClusteredRatioMoments
        public let weekly: ClusteredRatioMoments
        public let monthly: ClusteredRatioMoments

        public init(
            day: Int, daily: ClusteredRatioMoments, weekly: ClusteredRatioMoments, monthly: ClusteredRatioMoments
        ) {
            self.day = day
            self.daily = daily
            self.weekly = weekly
            self.monthly = monthly
        }
    }

    public struct Evaluation: Sendable, Equatable {
        public let day: Int
        public let date: String
        /// The signed-up users of each account per segment, then those no segment matched.
        public let segments: ClusteredCategoryMoments

        public init(day: Int, date: String, segments: ClusteredCategoryMoments) {
            self.day = day
            self.date = date
            self.segments = segments
        }
    }

    public init(
        users: Int, churn: [SurvivalObservation], timeToValue: [SurvivalObservation], accounts: [Int],
        featureUsers: [ClusteredRatioMoments], milestoneUsers: [ClusteredRatioMoments],
        funnelStages: ClusteredCategoryMoments, activity: [Activity], evaluations: [Evaluation],
        transitions: TransitionMoments
    ) {
        self.users = users
        self.churn = churn
        self.timeToValue = timeToValue
        self.accounts = accounts
        self.featureUsers = featureUsers
        self.milestoneUsers = milestoneUsers
        self.funnelStages = funnelStages
        self.activity = activity
        self.evaluations = evaluations
        self.transitions = transitions
    }
}
