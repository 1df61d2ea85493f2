/// Thresholds behind the derived metrics; every one is documented in `docs/segments.md`.
public struct WindowSettings: Sendable, Equatable {
    /// A feature is *habitual* when used on at least this many of the last 28 days (else *tried* if
    /// ever used, else *never*).
    public var habitualFeatureDays: Int
    /// Usage rate by active days of the last 28: heavy at or above `heavyDays`, moderate at or above
    /// `moderateDays`, light with at least one, none without.
    public var heavyDays: Int
    public var moderateDays: Int
    /// Milestones whose completion (all of them) makes a user activated.
    public var activationMilestones: [Int]
    public var engagement: EngagementWeights

    public init(
        habitualFeatureDays: Int = 4, heavyDays: Int = 16, moderateDays: Int = 6, activationMilestones: [Int],
        engagement: EngagementWeights = EngagementWeights()
    ) {
        self.habitualFeatureDays = habitualFeatureDays
        self.heavyDays = heavyDays
        self.moderateDays = moderateDays
        self.activationMilestones = activationMilestones
        self.engagement = engagement
    }
}

/// The engagement score: a weighted mean of four parts, each scaled to [0, 1], times 100.
///
/// - frequency: active days of the last 28 over `targetActiveDays` (capped at 1);
/// - depth: key actions of the last 28 days over `targetKeyActions` (capped at 1);
/// - breadth: share of the product's features the user uses habitually;
/// - recency: 1 on a day with a key action, falling linearly to 0 at 28 days without one.
public struct EngagementWeights: Sendable, Equatable {
    public var frequency: Double
    public var depth: Double
    public var breadth: Double
    public var recency: Double
    public var targetActiveDays: Double
    public var targetKeyActions: Double

    public init(
        frequency: Double = 0.4, depth: Double = 0.3, breadth: Double = 0.2, recency: Double = 0.1,
        targetActiveDays: Double = 20, targetKeyActions: Double = 100
    ) {
        self.frequency = frequency
        self.depth = depth
        self.breadth = breadth
        self.recency = recency
        self.targetActiveDays = targetActiveDays
        self.targetKeyActions = targetKeyActions
    }
}
