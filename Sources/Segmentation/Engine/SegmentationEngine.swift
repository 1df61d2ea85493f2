import Dispatch
public import UsageModel

/// Segments every user from their usage windows, daily or weekly, as days arrive.
///
/// It is a ``DayObserver``: plugged into the simulator's day loop or fed by an imported log's
/// replay, it sees the same observed usage either way (invariant 3). Membership history takes one
/// byte per user per evaluation: the segment index, or ``notSignedUp``.
public final class SegmentationEngine: DayObserver {
    public static let notSignedUp: UInt8 = 0xFF

    public let compiled: CompiledSegmentation
    public let threads: Int
    public private(set) var windows: UsageWindows?
    public private(set) var directory: PopulationDirectory?
    /// One entry per evaluation, in order.
    public private(set) var evaluations: [SegmentEvaluation] = []
    /// Segment of each user at each evaluation: entry `evaluation · users + user`.
    public private(set) var history: [Column<UInt8>] = []
    /// Tags of each user at the latest evaluation (bit `t` for tag `t`).
    public private(set) var tags = Column<UInt32>(repeating: 0, count: 0)
    /// Called after each evaluation, e.g. to stream `memberships.csv`.
    public var onEvaluation: ((SegmentEvaluation, Column<UInt8>, Column<UInt32>) throws -> Void)?

    var lifecycle = Column<UInt8>(repeating: 0, count: 0)
    var activeLastInterval = Column<Bool>(repeating: false, count: 0)
    var accounts: AccountAggregates?

    public init(_ compiled: CompiledSegmentation, threads: Int = 1) {
        self.compiled = compiled
        self.threads = max(1, threads)
    }

    public func simulationWillStart(_ population: PopulationDirectory) {
        directory = population
        let n = population.userCount
        windows = UsageWindows(
            users: n, featureCount: compiled.vocabulary.features.count,
            milestoneCount: compiled.vocabulary.milestones.count, settings: compiled.settings)
        tags = Column(repeating: 0, count: n)
        lifecycle = Column(repeating: 0, count: n)
        activeLastInterval = Column(repeating: false, count: n)
        if compiled.needsAccounts {
            accounts = AccountAggregates(accounts: population.accountCount, features: compiled.vocabulary.features.count)
        }
    }

    public func dayDidEnd(_ usage: UsageDay) throws {
        guard let windows else { preconditionFailure("simulationWillStart was not called") }
        let ranges = Self.split(users: windows.users, parts: threads)
        if threads == 1 {
            windows.fold(usage, users: ranges[0])
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { windows.fold(usage, users: ranges[$0]) }
        }
        windows.finishDay(usage.day)
        let every = compiled.spec.every.days
        if (usage.day + 1) % every == 0 {
            try evaluate(day: usage.day)
        }
    }

    /// Segments every signed-up user as of `day` (the windows' latest day).
    func evaluate(day: Int) throws {
        guard let windows, let directory else { return }
        let n = windows.users
        let interval = compiled.spec.every.days
        let today = Int32(day)
        // Lifecycle over the interval ending today, as PostHog defines it.
        for u in 0..<n where windows.signedUp[u] {
            let active = interval == 1 ? windows.ringKeys[(day % UsageWindows.span) * n + u] > 0 : windows.active7[u] > 0
            let first = windows.firstKey[u]
            let isNew = first != UsageWindows.never && first > today - Int32(interval)
            let before = activeLastInterval[u]
            let state: Int
            if active {
                state = isNew ? 1 : (before ? 2 : 3)
            } else {
                state = before ? 4 : 0
            }
            lifecycle[u] = UInt8(state)
            activeLastInterval[u] = active
        }
        if let accounts {
            accounts.aggregate(windows: windows, account: directory.account, loader: loader(user: 0))
        }

        let memberships = Column<UInt8>(repeating: Self.notSignedUp, count: n)
        let segmentCount = compiled.segments.count
        var sizes = [Int](repeating: 0, count: segmentCount)
        var tagCounts = [Int](repeating: 0, count: compiled.tags.count)
        var notSignedUp = 0
        for u in 0..<n {
            guard windows.signedUp[u] else {
                tags[u] = 0
                notSignedUp += 1
                continue
            }
            let metrics = loader(user: u)
            var segment = segmentCount  // unmatched
            for (i, rule) in compiled.segments.enumerated() where rule.evaluate(metrics) {
                segment = i
                break
            }
            var bits: UInt32 = 0
            for (t, rule) in compiled.tags.enumerated() where rule.evaluate(metrics) {
                bits |= 1 << UInt32(t)
                tagCounts[t] += 1
            }
            tags[u] = bits
            if segment < segmentCount {
                memberships[u] = UInt8(segment)
                sizes[segment] += 1
            } else {
                memberships[u] = UInt8(segmentCount)
            }
        }
        let unmatched = n - notSignedUp - sizes.reduce(0, +)

        // Transitions from the previous evaluation: rows and columns are segments, then
        // "unmatched", then "not signed up".
        let states = segmentCount + 2
        var transitions = [Int](repeating: 0, count: states * states)
        if let previous = history.last {
            for u in 0..<n {
                let from = Self.stateIndex(previous[u], segmentCount: segmentCount)
                let to = Self.stateIndex(memberships[u], segmentCount: segmentCount)
                transitions[from * states + to] += 1
            }
        }
        history.append(memberships)
        let evaluation = SegmentEvaluation(
            index: evaluations.count, day: day, date: directory.startDate.adding(days: day), sizes: sizes,
            unmatched: unmatched, notSignedUp: notSignedUp, tagCounts: tagCounts,
            transitions: history.count > 1 ? transitions : nil)
        evaluations.append(evaluation)
        try onEvaluation?(evaluation, memberships, tags)
    }

    static func stateIndex(_ code: UInt8, segmentCount: Int) -> Int {
        code == notSignedUp ? segmentCount + 1 : Int(code)
    }

    func loader(user: Int) -> UserMetrics {
        UserMetrics(engine: self, windows: windows!, user: user)
    }

    static func split(users: Int, parts: Int) -> [Range<Int>] {
        (0..<parts).map { p in (users * p / parts)..<(users * (p + 1) / parts) }
    }
}

/// Sizes and transitions of one evaluation.
public struct SegmentEvaluation: Sendable, Equatable {
    public let index: Int
    public let day: Int
    public let date: CivilDate
    /// Users in each segment, in definition order.
    public let sizes: [Int]
    /// Signed-up users no segment matched.
    public let unmatched: Int
    public let notSignedUp: Int
    public let tagCounts: [Int]
    /// Counts from the previous evaluation, row-major over segments, unmatched, not signed up;
    /// `nil` at the first evaluation.
    public let transitions: [Int]?
}

extension SegmentationEngine {
    /// A metric of a user as of the latest folded day, by name; `nil` for an unknown name.
    /// For inspection and tests: the engine itself never looks metrics up by name.
    public func metric(_ name: String, user: Int) -> Double? {
        guard let id = compiled.catalog.lookup(name), windows != nil else { return nil }
        return loader(user: user).load(id)
    }

    /// Segment name of a user at an evaluation (`nil` before sign-up, "unmatched" if no rule matched).
    public func segmentName(user: Int, evaluation: Int) -> String? {
        let code = history[evaluation][user]
        if code == Self.notSignedUp { return nil }
        return Int(code) < compiled.segmentNames.count ? compiled.segmentNames[Int(code)] : "unmatched"
    }
}
