import Analysis
import Segmentation
import UsageModel

/// Gathers what the twin report measures from a population's days: the replay of the real log and the twin's
/// simulation hand it the same ``UsageDay``s, so both are measured by this one observer. Per user, a fixed number
/// of columns: the last key action and the day churn was seen, the activation day, the last active day, the
/// milestones reached and the features used; per weekly point, the active users. Everything is counted per account,
/// the unit of the report's intervals (``TwinSample``).
///
/// A user counts from their sign-up day; events before it are not used (as `fit` reads a log). Users who signed up
/// before the first day are left out (none without `--since`, which `twin` does not take).
final class TwinObservations: DayObserver {
    /// Milestones whose completion (all of them) is activation; without any, the first key action is.
    let activationMask: UInt16
    /// Days between weekly points: the activity is counted on the days the segmentation engine evaluates.
    let every: Int
    private(set) var directory: PopulationDirectory?
    /// The last day with a key action; the day before sign-up until the first.
    private var lastKey: [Int32] = []
    /// The day that completed the first run of ``TwinSample/churnGapDays`` days without a key action, or -1.
    private var churnDay: [Int32] = []
    private var activationDay: [Int32] = []
    /// The last day with a session, key actions or feature use, or `Int32.min`.
    private var lastActive: [Int32] = []
    private var reached: [UInt16] = []
    private var featuresEver: [UInt32] = []
    private var activity: [TwinSample.Activity] = []
    /// Per account, on a weekly point's day: its signed-up users and those active that day, week and month.
    private var pointCounts: [(signedUp: Int, daily: Int, weekly: Int, monthly: Int)] = []

    init(activationMilestones: [Int], every: Int) {
        activationMask = activationMilestones.reduce(UInt16(0)) { $0 | (1 << UInt16($1)) }
        self.every = every
    }

    func daysWillStart(_ population: PopulationDirectory) {
        directory = population
        let n = population.userCount
        lastKey = population.signupDay.map { $0 - 1 }
        churnDay = Array(repeating: -1, count: n)
        activationDay = Array(repeating: -1, count: n)
        lastActive = Array(repeating: Int32.min, count: n)
        reached = Array(repeating: 0, count: n)
        featuresEver = Array(repeating: 0, count: n)
        activity = []
        pointCounts = Array(repeating: (0, 0, 0, 0), count: population.accountCount)
    }

    func dayDidEnd(_ usage: UsageDay) {
        guard let directory else { return }
        let day = Int32(usage.day)
        let gap = Int32(TwinSample.churnGapDays)
        let point = (usage.day + 1) % every == 0
        if point {
            for a in pointCounts.indices { pointCounts[a] = (0, 0, 0, 0) }
        }
        for u in 0..<directory.userCount {
            let signup = directory.signupDay[u]
            guard signup >= 0, signup <= day else { continue }
            let keys = usage.keyActions[u]
            let features = usage.features[u]
            if usage.sessions[u] > 0 || keys > 0 || features != 0 { lastActive[u] = day }
            featuresEver[u] |= features
            reached[u] |= usage.milestones[u]
            if churnDay[u] < 0 {
                if keys > 0 {
                    lastKey[u] = day
                } else if day - lastKey[u] >= gap {
                    churnDay[u] = day
                }
            }
            if activationDay[u] < 0,
                activationMask == 0 ? keys > 0 : reached[u] & activationMask == activationMask
            {
                activationDay[u] = day
            }
            if point {
                let a = Int(directory.account[u])
                pointCounts[a].signedUp += 1
                if lastActive[u] == day { pointCounts[a].daily += 1 }
                if lastActive[u] >= day - 6 { pointCounts[a].weekly += 1 }
                if lastActive[u] >= day - 27 { pointCounts[a].monthly += 1 }
            }
        }
        if point {
            var moments = (ClusteredRatioMoments(), ClusteredRatioMoments(), ClusteredRatioMoments())
            for c in pointCounts where c.signedUp > 0 {
                moments.0.addCluster(successes: c.daily, trials: c.signedUp)
                moments.1.addCluster(successes: c.weekly, trials: c.signedUp)
                moments.2.addCluster(successes: c.monthly, trials: c.signedUp)
            }
            activity.append(
                TwinSample.Activity(day: usage.day, daily: moments.0, weekly: moments.1, monthly: moments.2))
        }
    }

    /// The sample of the days observed, with the segments and transitions of `engine`, which saw the same days.
    func sample(engine: SegmentationEngine) -> TwinSample {
        guard let directory else { preconditionFailure("daysWillStart was not called") }
        let lastDay = Int32(directory.days - 1)
        let features = directory.featureNames.count
        let milestones = directory.milestoneNames.count
        let members = Self.usersByAccount(directory)
        var churn: [SurvivalObservation] = []
        var value: [SurvivalObservation] = []
        var accounts: [Int] = []
        var featureUsers = [ClusteredRatioMoments](repeating: ClusteredRatioMoments(), count: features)
        var milestoneUsers = [ClusteredRatioMoments](repeating: ClusteredRatioMoments(), count: milestones)
        var funnel = ClusteredCategoryMoments(categories: milestones + 1)
        for (a, users) in members.enumerated() {
            var signedUp = 0
            var used = [Int](repeating: 0, count: features)
            var reachedCount = [Int](repeating: 0, count: milestones)
            var stages = [Int](repeating: 0, count: milestones + 1)
            for u in users {
                let signup = directory.signupDay[u]
                guard signup >= 0, signup <= lastDay else { continue }
                func observation(_ day: Int32) -> SurvivalObservation {
                    day >= 0
                        ? SurvivalObservation(time: Double(day - signup), event: true)
                        : SurvivalObservation(time: Double(lastDay - signup), event: false)
                }
                signedUp += 1
                churn.append(observation(churnDay[u]))
                value.append(observation(activationDay[u]))
                accounts.append(a)
                for f in 0..<features where featuresEver[u] & (1 << UInt32(f)) != 0 { used[f] += 1 }
                for m in 0..<milestones where reached[u] & (1 << UInt16(m)) != 0 { reachedCount[m] += 1 }
                var stage = 0
                while stage < milestones, reached[u] & (1 << UInt16(stage)) != 0 { stage += 1 }
                stages[stage] += 1
            }
            guard signedUp > 0 else { continue }
            for f in 0..<features { featureUsers[f].addCluster(successes: used[f], trials: signedUp) }
            for m in 0..<milestones { milestoneUsers[m].addCluster(successes: reachedCount[m], trials: signedUp) }
            funnel.addCluster(stages)
        }
        let labels = engine.compiled.segmentNames.count + 1
        let evaluations = engine.evaluations.enumerated().map { e, evaluation in
            var mix = ClusteredCategoryMoments(categories: labels)
            var counts = [Int](repeating: 0, count: labels)
            for users in members {
                for u in users {
                    let code = Int(engine.history[e][u])
                    if code < labels { counts[code] += 1 }
                }
                mix.addCluster(counts)
                for k in counts.indices { counts[k] = 0 }
            }
            return TwinSample.Evaluation(day: evaluation.day, date: evaluation.date.description, segments: mix)
        }
        return TwinSample(
            users: churn.count, churn: churn, timeToValue: value, accounts: accounts, featureUsers: featureUsers,
            milestoneUsers: milestoneUsers, funnelStages: funnel, activity: activity, evaluations: evaluations,
            transitions: Self.transitions(history: engine.history, labels: labels, members: members))
    }

    /// The users of each account, in user order.
    static func usersByAccount(_ directory: PopulationDirectory) -> [[Int]] {
        var members = [[Int]](repeating: [], count: directory.accountCount)
        for u in 0..<directory.userCount { members[Int(directory.account[u])].append(u) }
        return members
    }

    /// Transitions between consecutive evaluations (codes below `labels`; the others are users not yet signed
    /// up), each account's summed into one cluster.
    static func transitions(history: [Column<UInt8>], labels: Int, members: [[Int]]) -> TransitionMoments {
        var moments = TransitionMoments(states: labels, strata: 1)
        guard history.count >= 2 else { return moments }
        var cells = [Int](repeating: 0, count: labels * labels)
        var rows: [Int] = []
        for users in members {
            for u in users {
                for e in 1..<history.count {
                    let from = Int(history[e - 1][u])
                    let to = Int(history[e][u])
                    guard from < labels, to < labels else { continue }
                    cells[from * labels + to] += 1
                    if !rows.contains(from) { rows.append(from) }
                }
            }
            guard !rows.isEmpty else { continue }
            rows.sort()
            moments.addCluster(counts: cells, rows: rows)
            for i in rows {
                for c in (i * labels)..<((i + 1) * labels) { cells[c] = 0 }
            }
            rows.removeAll(keepingCapacity: true)
        }
        return moments
    }
}
