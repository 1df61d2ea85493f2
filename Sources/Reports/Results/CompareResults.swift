public import Analysis

/// `compare.json`: two runs' `results.json` side by side, each difference taken as run B minus run A.
///
/// Parts only one run has are listed with their side (``Presence``), never dropped and never an error:
/// runs of different scenarios may have other segments, arms, metrics or policies. Versioned on its own
/// (``schemaVersion``), apart from `results.json`. Built from the two results alone, so comparing the same
/// files gives the same bytes.
public struct CompareResults: Codable, Sendable {
    /// Raised when the meaning of a key changes or one is removed (docs/compare.md).
    public static let currentSchemaVersion = 1

    public let schemaVersion: Int
    public let a: RunIdentity
    public let b: RunIdentity
    /// The settings in which the runs differ, one entry each (empty for two runs of the same settings).
    public let differences: [SettingDifference]
    /// Every field of `results.json`'s `summary`, in its order there.
    public let summary: [Measure]
    public let segments: Segments
    public let experiment: Experiment
    public let campaigns: Campaigns

    /// Which run has a part.
    public enum Presence: String, Codable, Sendable {
        case both
        case onlyA = "only_a"
        case onlyB = "only_b"
    }

    /// What a run is: its folder as given and its scenario's settings.
    public struct RunIdentity: Codable, Sendable {
        /// The folder (or `results.json`) as given on the command line.
        public let input: String
        public let scenario: String
        public let description: String?
        public let seed: UInt64
        public let users: Int
        public let accounts: Int
        public let days: Int
        public let startDate: String
        public let signupDays: Int
        public let currency: String
        public let arms: [String]
        public let policies: [String]
    }

    /// One setting that differs; values as text, as the report shows them.
    public struct SettingDifference: Codable, Sendable {
        public let setting: String
        public let a: String
        public let b: String
    }

    /// One number of both runs. `difference` is `b − a`; `nil` when either side is missing, or for money
    /// when the currencies differ.
    public struct Measure: Codable, Sendable {
        /// The key in `results.json`'s `summary`.
        public let measure: String
        /// `count`, `rate` (a share in [0, 1]), `cents` (money in the run's currency) or `score`.
        public let unit: String
        public let a: Double?
        public let b: Double?
        public let difference: Double?
    }

    public struct Segments: Codable, Sendable {
        /// The date of each run's last evaluation, whose sizes `final` holds; `nil` for a run without one.
        public let lastEvaluationA: String?
        public let lastEvaluationB: String?
        /// Every segment of either run, A's order first, then those only B has.
        public let final: [SegmentSize]
        /// Sizes at every evaluation day of either run, for the segments both runs have.
        public let overTime: [SegmentSeries]
    }

    /// A segment's users at the last evaluation of each run; a missing side is `nil`.
    public struct SegmentSize: Codable, Sendable {
        public let segment: String
        public let presence: Presence
        /// Whether both runs define the segment by the same rule (`when`); `nil` unless both have it.
        public let sameRule: Bool?
        public let a: Int?
        public let b: Int?
        public let difference: Int?
    }

    public struct SegmentSeries: Codable, Sendable {
        public let segment: String
        /// One point per day on which either run evaluated; a side is `nil` on a day it did not evaluate.
        public let points: [SegmentPoint]
    }

    public struct SegmentPoint: Codable, Sendable {
        public let day: Int
        public let a: Int?
        public let b: Int?
    }

    public struct Experiment: Codable, Sendable {
        /// `both`, `only_a`, `only_b`, or `neither` (no experiment in either run).
        public let presence: String
        public let outcomeDaysA: Int?
        public let outcomeDaysB: Int?
        public let primaryMetricA: String?
        public let primaryMetricB: String?
        /// How the difference of two lifts is computed and what it assumes.
        public let method: String
        /// Each arm-against-control comparison of either run, matched by arm and control name.
        public let comparisons: [ComparisonPair]
    }

    public struct ComparisonPair: Codable, Sendable {
        public let arm: String
        public let control: String
        public let presence: Presence
        /// Each metric of either side, matched by name.
        public let metrics: [MetricPair]
    }

    public struct MetricPair: Codable, Sendable {
        public let metric: String
        /// `proportion` or `mean`.
        public let kind: String
        public let presence: Presence
        public let a: LiftSide?
        public let b: LiftSide?
        /// B's lift minus A's, with its interval; `nil` unless both runs measured the metric.
        public let difference: IndependentDifference?
        /// B's true effect minus A's.
        public let trueEffectDifference: Double?
    }

    /// One run's lift of a metric, as its `results.json` has it, with the standard error behind the interval.
    public struct LiftSide: Codable, Sendable {
        public let lift: Double
        public let lower: Double?
        public let upper: Double?
        public let standardError: Double?
        public let pValue: Double?
        public let trueEffect: Double
        public let treatmentUsers: Int
        public let controlUsers: Int
    }

    public struct Campaigns: Codable, Sendable {
        /// Each policy of either run, matched by name.
        public let policies: [PolicyPair]
        /// Summed over each run's policies; a side is `nil` for a run without campaigns.
        public let totalA: CampaignNumbers?
        public let totalB: CampaignNumbers?
        /// `nil` unless both runs have campaigns; its `cost` is `nil` when the currencies differ.
        public let totalDifference: CampaignDifference?
    }

    public struct PolicyPair: Codable, Sendable {
        public let policy: String
        public let presence: Presence
        public let channelA: String?
        public let channelB: String?
        public let a: CampaignNumbers?
        public let b: CampaignNumbers?
        public let difference: CampaignDifference?
    }

    public struct CampaignNumbers: Codable, Sendable {
        public let triggered: Int
        public let sends: Int
        public let unsubscribes: Int
        /// In the run's currency.
        public let cost: Double
    }

    public struct CampaignDifference: Codable, Sendable {
        public let triggered: Int
        public let sends: Int
        public let unsubscribes: Int
        public let cost: Double?
    }
}
