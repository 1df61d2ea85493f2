import Analysis
import Segmentation
import UsageModel

/// Gathers what the twin report measures from a population's days: the replay of the real log and the twin's
/// simulation hand it the same ``UsageDay``s, so both are measured by this one observer. Per user, a fixed number
/// of columns: the last key action and the day churn was seen, the activation day, the last active day, the
/// milestones reached and the features used; per weekly point, the active users.
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
    }

    func dayDidEnd(_ usage: UsageDay) {
        guard let directory else { return }
        let day = Int32(usage.day)
        let gap = Int32(TwinSample.churnGapDays)
        let point = (usage.day + 1) % every == 0
        var counts = (signedUp: 0, daily: 0, weekly: 0, monthly: 0)
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
                counts.signedUp += 1
                if lastActive[u] == day { counts.daily += 1 }
                if lastActive[u] >= day - 6 { counts.weekly += 1 }
                if lastActive[u] >= day - 27 { counts.monthly += 1 }
            }
        }
        if point {
            activity.append(
                TwinSample.Activity(
                    day: usage.day, signedUp: counts.signedUp, daily: counts.daily, weekly: counts.weekly,
                    monthly: counts.monthly))
        }
    }

    /// The sample of the days observed, with the segments and transitions of `engine`, which saw the same days.
    func sample(engine: SegmentationEngine) -> TwinSample {
        guard let directory else { preconditionFailure("daysWillStart was not called") }
        let lastDay = Int32(directory.days - 1)
        let features = directory.featureNames.count
        let milestones = directory.milestoneNames.count
        var churn: [SurvivalObservation] = []
        var value: [SurvivalObservation] = []
        var featureUsers = [Int](repeating: 0, count: features)
        var milestoneUsers = [Int](repeating: 0, count: milestones)
        var stages = [Int](repeating: 0, count: milestones + 1)
        for u in 0..<directory.userCount {
            let signup = directory.signupDay[u]
            guard signup >= 0, signup <= lastDay else { continue }
            func observation(_ day: Int32) -> SurvivalObservation {
                day >= 0
                    ? SurvivalObservation(time: Double(day - signup), event: true)
                    : SurvivalObservation(time: Double(lastDay - signup), event: false)
            }
            churn.append(observation(churnDay[u]))
            value.append(observation(activationDay[u]))
            for f in 0..<features where featuresEver[u] & (1 << UInt32(f)) != 0 { featureUsers[f] += 1 }
            for m in 0..<milestones where reached[u] & (1 << UInt16(m)) != 0 { milestoneUsers[m] += 1 }
            var stage = 0
            while stage < milestones, reached[u] & (1 << UInt16(stage)) != 0 { stage += 1 }
            stages[stage] += 1
        }
        let labels = engine.compiled.segmentNames.count + 1
        let evaluations = engine.evaluations.map { e in
            TwinSample.Evaluation(
                day: e.day, date: e.date.description, signedUp: directory.userCount - e.notSignedUp,
                sizes: e.sizes + [e.unmatched])
        }
        let signupDay = directory.signupDay
        let transitions = TransitionCounts(
            history: engine.history, states: labels, evaluations: 0..<max(0, engine.evaluations.count - 1),
            days: engine.evaluations.map(\.day), signup: { Int(signupDay[$0]) }, targets: [], groups: [:])
        return TwinSample(
            users: churn.count, churn: churn, timeToValue: value, featureUsers: featureUsers,
            milestoneUsers: milestoneUsers, funnelStages: stages, activity: activity, evaluations: evaluations,
            transitions: transitions.moments)
    }
}
