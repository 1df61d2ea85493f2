import Fitting
import UsageModel

/// What `fit` estimates from the fitted model's posterior of every user, beside the model itself: trial conversion
/// and NPS answers by latent state, milestone hazards by persona and state, each persona's first billing event, and
/// each user's persona probabilities.
struct PosteriorEstimates: Sendable {
    /// Trial ends, converted or not, with the posterior state on the day the trial ended.
    var conversion: StateOutcomeMixture
    /// One kind per milestone, by persona and state and, when the log has accounts of one user and of several, apart
    /// for the users alone in an account (group 0) and in a team (group 1): each active day on which a user could
    /// reach it (from the day its requirements were reached to the day it was), and whether it was reached that day.
    var milestones: StateOutcomeRates
    /// P(persona k | user's days, account size) of each user, in the order of the inference's data, at
    /// `i · personas + k`.
    var personaProbabilities: [Double] = []
    /// The first billing event's category (`plan · 2 + (trial ? 1 : 0)`) summed over users with their posterior
    /// persona probabilities, at `persona · categories + category`.
    var billing: [Double]
    /// Milestones first reached on a day without a session: the days at risk end there, with no success counted.
    var milestonesOnSilentDays = 0
    /// NPS answers by state: kind 0 over every active day, answered or not; kind 1 + k over the answered days, the
    /// score k (0 … 10). Kind 1 + k's rate is the state's share of answers scoring k.
    var nps: StateOutcomeRates
    static let npsKinds = 12
    /// Plan changes by state: kind `from · plans + to`, over every day a user on plan `from` could change plan (from
    /// the day after the trial), each counted in the live states with their posterior probabilities (a churned user
    /// changes nothing), a success on the day the user moved to `to`.
    var planChanges: StateOutcomeRates
    let plans: Int

    init(liveStates: Int, personas: Int, milestones: Int, categories: Int, bands: Int) {
        plans = categories / 2
        planChanges = StateOutcomeRates(kinds: plans * plans, liveStates: liveStates)
        conversion = StateOutcomeMixture(liveStates: liveStates)
        self.milestones = StateOutcomeRates(
            kinds: milestones, liveStates: liveStates, personas: personas, groups: bands)
        billing = Array(repeating: 0, count: personas * categories)
        nps = StateOutcomeRates(kinds: Self.npsKinds, liveStates: liveStates)
    }

    /// The estimates over every fitted user, summed in the chunks' order (the same at any thread count).
    /// - Parameters:
    ///   - users: The import index of each user of the inference's data.
    ///   - requirements: Per milestone, the milestones it requires (``FitObservations/inferredRequirements(users:)``).
    init(
        inference: HMMInference, observations: FitObservations, users: [Int], requirements: [[Int]], categories: Int,
        bands: Int,
        threads: Int
    ) {
        let model = inference.model
        let empty = PosteriorEstimates(
            liveStates: model.liveStates, personas: model.personas.count, milestones: requirements.count,
            categories: categories, bands: bands)
        let chunks = inference.tallyPosteriors(initial: empty, threads: threads) { i, posterior, tally in
            let band = bands > 1 && inference.data.accountSizeClass(user: i) > 0 ? 1 : 0
            tally.add(
                user: users[i], posterior: posterior, activeDays: inference.data.activeDays(user: i),
                observations: observations, requirements: requirements, categories: categories, band: band)
        }
        self = empty
        for chunk in chunks {
            conversion.add(chunk.conversion)
            milestones.add(chunk.milestones)
            personaProbabilities += chunk.personaProbabilities
            for i in billing.indices { billing[i] += chunk.billing[i] }
            milestonesOnSilentDays += chunk.milestonesOnSilentDays
            nps.add(chunk.nps)
            planChanges.add(chunk.planChanges)
        }
    }

    /// Adds import user `u`, whose posterior and active days (days since sign-up) are given.
    private mutating func add(
        user u: Int, posterior: UserPosterior, activeDays: [ActiveDay], observations: FitObservations,
        requirements: [[Int]], categories: Int, band: Int
    ) {
        personaProbabilities += posterior.personaProbabilities
        guard let signup = observations.directory.map({ Int($0.signupDay[u]) }) else { return }
        let category = Int(observations.firstBilling[u])
        if category >= 0 {
            for (k, p) in posterior.personaProbabilities.enumerated() { billing[k * categories + category] += p }
        }
        if observations.trialEnd[u] >= 0 {
            conversion.add(
                posterior, day: Int(observations.trialEnd[u]) - signup, success: observations.converted[u])
        }
        for active in activeDays {
            let score = observations.npsScores[u << 16 + signup + active.day]
            nps.add(posterior, day: active.day, kind: 0, success: score != nil)
            if let score { nps.add(posterior, day: active.day, kinds: 1...11, succeeded: 1 + Int(score)) }
        }
        if observations.planChangesFrom[u] >= 0 {
            var plan = Int(observations.planFrom[u])
            var changes = observations.planChanges[u, default: []][...]
            for day in max(0, Int(observations.planChangesFrom[u]) - signup)..<posterior.days {
                let moved = changes.first.flatMap { Int($0.day) - signup == day ? Int($0.plan) : nil }
                let from = plan * plans
                let stay = from + plan
                planChanges.add(
                    posterior, day: day, kinds: (from..<(from + plans)).lazy.filter { $0 != stay },
                    succeeded: moved.map { from + $0 }, givenLive: false)
                if let moved {
                    plan = moved
                    changes = changes.dropFirst()
                }
            }
        }
        let count = requirements.count
        // Days since sign-up; -1 for a milestone not reached.
        let reached = (0..<count).map { m in
            let day = Int(observations.milestoneDay[u * count + m])
            return day < 0 ? -1 : day - signup
        }
        for m in 0..<count {
            guard requirements[m].allSatisfy({ reached[$0] >= 0 }) else { continue }
            let from = requirements[m].map { reached[$0] }.max() ?? 0
            let through = reached[m] >= 0 ? reached[m] : Int.max
            var counted = false
            for active in activeDays where active.day >= from && active.day <= through {
                milestones.add(posterior, day: active.day, kind: m, success: active.day == through, group: band)
                counted = counted || active.day == through
            }
            if reached[m] >= 0 && !counted { milestonesOnSilentDays += 1 }
        }
    }
}
