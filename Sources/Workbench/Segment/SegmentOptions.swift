public import Segmentation
public import UsageModel

/// What `segmentlab segment` was asked to do.
public struct SegmentOptions: Sendable {
    /// Event logs (`.csv`, `.jsonl`, `.ndjson`), read in order.
    public var events: [String]
    public var taxonomy: String
    /// A segments file; `nil` means the default segments.
    public var segments: String?
    public var aliases: String?
    public var accounts: String?
    public var since: CivilDate?
    /// Last day read; evaluations are placed so that one falls on it.
    public var asOf: CivilDate?
    /// Evaluate once, on the last day (`asOf`, or the log's last day), instead of every interval.
    public var once: Bool
    /// Overrides the segments file's `every`.
    public var every: EvaluationInterval?
    public var strict: Bool
    public var threads: Int
    /// Output folder; `nil` means `reports/<log name>/<run-id>/`.
    public var outDirectory: String?
    /// Show a progress line on standard error (only when it is a terminal).
    public var progress: Bool
    /// Segment only shard I of N: the accounts whose id hashes to I (``ShardIndex/keeps(account:)``),
    /// or with `ownFiles` everyone in `events`; write the pieces `segmentlab merge` combines.
    public var shard: ShardIndex?
    /// The files are this shard's part of a log split by account: keep every user in them.
    public var ownFiles: Bool
    /// A PostgreSQL connection URI (`postgres://…`): the memberships also go into `toTable` there.
    public var to: String?
    public var toTable: String

    public init(
        events: [String], taxonomy: String, segments: String? = nil, aliases: String? = nil, accounts: String? = nil,
        since: CivilDate? = nil, asOf: CivilDate? = nil, once: Bool = false, every: EvaluationInterval? = nil,
        strict: Bool = false,
        threads: Int = 1, outDirectory: String? = nil, progress: Bool = false, shard: ShardIndex? = nil,
        ownFiles: Bool = false, to: String? = nil, toTable: String = "segment_memberships"
    ) {
        self.to = to
        self.toTable = toTable
        self.shard = shard
        self.ownFiles = ownFiles
        self.progress = progress
        self.events = events
        self.taxonomy = taxonomy
        self.segments = segments
        self.aliases = aliases
        self.accounts = accounts
        self.since = since
        self.asOf = asOf
        self.once = once
        self.every = every
        self.strict = strict
        self.threads = threads
        self.outDirectory = outDirectory
    }
}
