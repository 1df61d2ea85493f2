public import UsageModel

/// What runs on a segment evaluation (campaign triggers, cutoff snapshots): the segmentation engine
/// calls it right after each evaluation, in the order the observers were added.
public protocol EvaluationObserver: AnyObject {
    /// Once, when the engine learns the population (from the day loop or a replay).
    func daysWillStart(_ population: PopulationDirectory) throws
    /// After the engine evaluated every user on `usage.day`; its history, tags and windows are
    /// that day's.
    func evaluationDidEnd(by engine: SegmentationEngine, usage: UsageDay) throws
}

extension EvaluationObserver {
    public func daysWillStart(_ population: PopulationDirectory) throws {}
}

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
    /// Which days are evaluated: by default every interval from the first day (days 6, 13, … for
    /// weekly evaluations).
    public var schedule = EvaluationSchedule.grid(offset: 0)
    /// Called after each evaluation, e.g. to stream `memberships.csv`.
    public var onEvaluation: ((SegmentEvaluation, Column<UInt8>, Column<UInt32>) throws -> Void)?
    /// Called after each evaluation, after ``onEvaluation``, in the order added.
    public private(set) var evaluationObservers: [any EvaluationObserver] = []

    /// Hands every later evaluation to `observer`. Observers hold the engine unowned, or receive it
    /// with each evaluation, so the engine owning them makes no cycle.
    public func add(_ observer: any EvaluationObserver) {
        evaluationObservers.append(observer)
    }

    var lifecycle = Column<UInt8>(repeating: 0, count: 0)
    var accounts: AccountAggregates?

    public init(_ compiled: CompiledSegmentation, threads: Int = 1) {
        self.compiled = compiled
        self.threads = max(1, threads)
    }

    public func daysWillStart(_ population: PopulationDirectory) throws {
        for observer in evaluationObservers { try observer.daysWillStart(population) }
        directory = population
        let n = population.userCount
        windows = UsageWindows(
            users: n, featureCount: compiled.vocabulary.features.count,
            milestoneCount: compiled.vocabulary.milestones.count, settings: compiled.settings)
        tags = Column(repeating: 0, count: n)
        lifecycle = Column(repeating: 0, count: n)
        if compiled.needsAccounts {
            accounts = AccountAggregates(
                accounts: population.accountCount, features: compiled.vocabulary.features.count,
                planPriceCents: compiled.vocabulary.planPriceCents ?? [])
        }
    }

    /// Frees the per-user state of the day loop (usage windows, lifecycle, account aggregates), the
    /// largest part of the engine, once no more days come: the evaluations, history and tags stay,
    /// metrics can no longer be read. A run calls it before its counterfactual run and analyses.
    public func releaseWorkingState() {
        windows = nil
        accounts = nil
        lifecycle = Column(repeating: 0, count: 0)
    }

    public func dayDidEnd(_ usage: UsageDay) throws {
        guard let windows else { preconditionFailure("daysWillStart was not called") }
        parallel(UserRanges.split(users: windows.users, parts: threads)) { windows.fold(usage, users: $0) }
        windows.finishDay(usage.day)
        if schedule.includes(usage.day, every: compiled.spec.every.days) {
            try evaluate(day: usage.day)
            for observer in evaluationObservers { try observer.evaluationDidEnd(by: self, usage: usage) }
        }
    }

    /// Segments every signed-up user as of `day` (the windows' latest day).
    func evaluate(day: Int) throws {
        guard let windows, let directory else { return }
        let n = windows.users
        let ranges = UserRanges.split(users: n, parts: threads)
        let lifecycle = self.lifecycle
        let interval = compiled.spec.every.days
        parallel(ranges) { range in
            Self.updateLifecycle(windows, day: day, interval: interval, lifecycle, users: range)
        }
        if let accounts {
            let engagement = (compiled.segments + compiled.tags).contains { rule in
                rule.metrics.contains { compiled.metrics[Int($0.raw)] == .accountEngagementScore }
            }
            accounts.aggregate(windows: windows, account: directory.account, loader: loader(), engagement: engagement)
        }

        let memberships = Column<UInt8>(repeating: Self.notSignedUp, count: n)
        let segmentCount = compiled.segments.count
        let tagCount = compiled.tags.count
        // Per worker: sizes, then tag counts, then users not signed up.
        let width = segmentCount + tagCount + 1
        let counts = Column<Int>(repeating: 0, count: width * ranges.count)
        let tags = self.tags
        let base = loader()
        withExtendedLifetime(self) {
            parallel(ranges) { range in
                let worker = ranges.firstIndex(of: range)!
                Self.classify(
                    rules: compiled, loader: base, users: range, memberships: memberships, tags: tags,
                    counts: counts.baseAddress + worker * width)
            }
        }
        var sizes = [Int](repeating: 0, count: segmentCount)
        var tagCounts = [Int](repeating: 0, count: tagCount)
        var notSignedUp = 0
        for w in 0..<ranges.count {
            for i in 0..<segmentCount { sizes[i] += counts[w * width + i] }
            for t in 0..<tagCount { tagCounts[t] += counts[w * width + segmentCount + t] }
            notSignedUp += counts[w * width + width - 1]
        }
        let unmatched = n - notSignedUp - sizes.reduce(0, +)

        // Transitions from the previous evaluation: rows and columns are segments, then
        // "unmatched", then "not signed up".
        let states = segmentCount + 2
        var transitions = [Int](repeating: 0, count: states * states)
        if let previous = history.last {
            previous.withUnsafeBufferPointer { before in
                memberships.withUnsafeBufferPointer { after in
                    for u in 0..<n {
                        let from = Self.stateIndex(before[u], segmentCount: segmentCount)
                        let to = Self.stateIndex(after[u], segmentCount: segmentCount)
                        transitions[from * states + to] += 1
                    }
                }
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

    /// PostHog's lifecycle over the interval ending on `day`, for a range of users: active in the
    /// interval (a key action in it) and in the one before, read from the windows, so that the
    /// first evaluation of a replay knows the interval before it as well as any later one.
    static func updateLifecycle(
        _ w: UsageWindows, day: Int, interval: Int, _ lifecycle: Column<UInt8>, users: Range<Int>
    ) {
        let n = w.users
        let today = Int32(day)
        let signed = w.signedUp.baseAddress
        let span = UsageWindows.span
        let keysToday = w.ringKeys.baseAddress + (day % span) * n
        let keysYesterday = w.ringKeys.baseAddress + ((day - 1 + span) % span) * n
        let active7 = w.active7.baseAddress
        let activeLastWeek = w.activeLastWeek.baseAddress
        let firstKey = w.firstKey.baseAddress
        let state = lifecycle.baseAddress
        for u in users where signed[u] {
            let active = interval == 1 ? keysToday[u] > 0 : active7[u] > 0
            // Yesterday's slot is 0 when the user was not signed up yesterday: the windows start at sign-up.
            let before = interval == 1 ? day > 0 && keysYesterday[u] > 0 : activeLastWeek[u] > 0
            let first = firstKey[u]
            let isNew = first != UsageWindows.never && first > today - Int32(interval)
            let code: UInt8
            if active {
                code = isNew ? 1 : (before ? 2 : 3)
            } else {
                code = before ? 4 : 0
            }
            state[u] = code
        }
    }

    /// First matching segment and every matching tag, for a range of users.
    ///
    /// Runs the rules' programs straight from their instruction buffers with one shared stack, so
    /// the per-user loop touches no reference count.
    static func classify(
        rules: CompiledSegmentation, loader: UserMetrics, users: Range<Int>, memberships: Column<UInt8>,
        tags: Column<UInt32>, counts: UnsafeMutablePointer<Int>
    ) {
        let all = rules.segments + rules.tags
        let segmentCount = rules.segments.count
        let tagCount = rules.tags.count
        let stackSize = all.map(\.program.stackSize).max() ?? 1
        let signed = loader.w.signedUp
        let out = memberships.baseAddress
        let tagOut = tags.baseAddress
        var metrics = loader
        // The programs' buffers belong to `rules`, which outlives this call.
        let programs = all.map { rule in
            rule.program.code.withUnsafeBufferPointer { code in
                rule.program.sets.withUnsafeBufferPointer { sets in (code, sets) }
            }
        }
        withExtendedLifetime(all) {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: stackSize) { stack in
                programs.withUnsafeBufferPointer { programs in
                    for u in users {
                        guard signed[u] else {
                            tagOut[u] = 0
                            counts[segmentCount + tagCount] += 1
                            continue
                        }
                        metrics.user = u
                        var segment = segmentCount  // unmatched
                        for i in 0..<segmentCount
                        where RuleProgram.execute(programs[i].0, programs[i].1, stack, metrics) {
                            segment = i
                            break
                        }
                        var bits: UInt32 = 0
                        for t in 0..<tagCount
                        where RuleProgram.execute(
                            programs[segmentCount + t].0, programs[segmentCount + t].1, stack, metrics)
                        {
                            bits |= 1 << UInt32(t)
                            counts[segmentCount + t] += 1
                        }
                        tagOut[u] = bits
                        out[u] = UInt8(segment)
                        if segment < segmentCount { counts[segment] += 1 }
                    }
                }
            }
        }
    }

    /// Runs `body` on each range, on as many threads as ranges.
    func parallel(_ ranges: [Range<Int>], _ body: (Range<Int>) -> Void) {
        UserRanges.forEach(ranges) { _, range in body(range) }
    }

    static func stateIndex(_ code: UInt8, segmentCount: Int) -> Int {
        code == notSignedUp ? segmentCount + 1 : Int(code)
    }

    /// A loader over the engine's state; it holds no references, so the engine must outlive it.
    func loader(user: Int = 0) -> UserMetrics {
        compiled.metrics.withUnsafeBufferPointer { metrics in
            UserMetrics(
                metrics: metrics, w: windows!.view, today: windows!.day, lifecycle: lifecycle.baseAddress,
                accounts: accounts?.view, account: directory?.account.baseAddress, user: user)
        }
    }
}

/// Sizes and transitions of one evaluation.
public struct SegmentEvaluation: Codable, Sendable, Equatable {
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

    /// The same evaluation over the users of both (disjoint blocks of one population).
    public func adding(_ o: SegmentEvaluation) -> SegmentEvaluation {
        precondition(o.index == index && o.day == day && o.sizes.count == sizes.count, "not the same evaluation")
        func sum(_ a: [Int], _ b: [Int]) -> [Int] { zip(a, b).map { $0 + $1 } }
        return SegmentEvaluation(
            index: index, day: day, date: date, sizes: sum(sizes, o.sizes), unmatched: unmatched + o.unmatched,
            notSignedUp: notSignedUp + o.notSignedUp, tagCounts: sum(tagCounts, o.tagCounts),
            transitions: transitions.map { sum($0, o.transitions!) })
    }
}

extension SegmentationEngine {
    /// The named metrics of each user in `users` as of the latest folded day, one value per name in
    /// order (nan for a name the catalog lacks), handed to `body` with the user. Names are resolved
    /// once, and `row` is reused: copy what you keep.
    public func forEach(
        _ users: Range<Int>, metrics names: [String], _ body: (_ user: Int, _ row: [Double]) -> Void
    ) {
        guard windows != nil else { return }
        let ids = names.map { compiled.catalog.lookup($0) }
        var loader = loader()
        var row = [Double](repeating: .nan, count: names.count)
        for u in users {
            loader.user = u
            for (i, id) in ids.enumerated() { row[i] = id.map { loader.load($0) } ?? .nan }
            body(u, row)
        }
    }

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

/// The days a segmentation engine evaluates its rules on; the usage windows are updated every day
/// whatever the schedule.
public enum EvaluationSchedule: Sendable, Equatable {
    /// Every interval, on the days where `day + 1 + offset` is a multiple of it.
    case grid(offset: Int)
    /// One evaluation, on this day only: who is in which segment on that day.
    case only(day: Int)

    /// The grid of an interval that has an evaluation on `day`.
    public static func grid(endingOn day: Int, every: Int) -> EvaluationSchedule {
        .grid(offset: (every - (day + 1) % every) % every)
    }

    public func includes(_ day: Int, every: Int) -> Bool {
        switch self {
        case .grid(let offset): (day + 1 + offset) % every == 0
        case .only(let only): day == only
        }
    }
}
