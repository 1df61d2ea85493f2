import EventImport
import Fitting
import Foundation
import Simulation
import Stats
import UsageModel

/// What `segmentlab recover` found: the parameters of a scenario's behaviour model against those `fit` recovers
/// from the scenario's simulated event log.
public struct RecoveryResult: Sendable {
    /// One compared number.
    public struct Row: Sendable {
        /// What it is, in the scenario's names (`solo: engaged → power`).
        public let name: String
        public let truth: Double
        public let fitted: Double
        /// The standard error a fit of this many users has (see ``RecoveryResult/standardErrorSource``); NaN
        /// when the true value lies on the boundary of its range, where none exists.
        public let standardError: Double

        /// (fitted − truth) / SE, NaN without a standard error.
        public var z: Double { (fitted - truth) / standardError }
    }

    public let scenario: String
    public let users: Int
    public let days: Int
    /// Whether the log carries the scenario's data-quality faults.
    public let faults: Bool
    /// How the simulated model was brought into the fitted model's class, one line per change.
    public let changes: [String]
    public let liveStates: Int
    public let personas: Int
    public let rows: [Row]
    /// Where the standard errors come from: the scores at the true parameters, or at the fit when the information
    /// at the truth is singular.
    public let standardErrorSource: String
    /// Users of the log fitted; of them, those whose id is a simulated user's (a duplicate identity is not).
    public let usersFitted: Int
    public let usersMatched: Int
    /// User-days of matched users whose Viterbi state (fitted labels mapped to the truth's) is the true state.
    public let viterbiAgreement: Double
    /// The same share for always guessing the most common true state: what decoding must beat.
    public let baselineAgreement: Double
    /// Matched users whose most likely persona is their true persona.
    public let personaAgreement: Double
    public let logLikelihood: Double
    /// The log-likelihood of the true parameters on the same data: a fit below it stopped at a local maximum.
    public let truthLogLikelihood: Double
    public let iterations: Int
    public let converged: Bool
    /// Free parameters the fit estimated (``HiddenMarkovModel/freeParameterCount``, less the habit's half-life, which
    /// is the truth's).
    public let parameterCount: Int

    /// The likelihood-ratio statistic 2(ℓ̂ − ℓ₀) of the fit against the true parameters, and its p-value from χ² with
    /// as many degrees of freedom as free parameters: the joint check of every number at once, which holds when a
    /// direction of the likelihood is too flat for the numbers' standard errors to describe (personas that move
    /// alike). True values on the boundary (a transition never made) make the statistic smaller than χ², so the
    /// p-value errs on the side of passing a fit only as far as those parameters go; nil when the fit is below the
    /// truth (a local maximum, which fails the check outright).
    public var likelihoodRatio: (statistic: Double, pValue: Double)? {
        let statistic = 2 * (logLikelihood - truthLogLikelihood)
        guard statistic >= 0, let chi = try? ChiSquared(degreesOfFreedom: parameterCount) else { return nil }
        return (statistic, chi.survival(statistic))
    }

    /// The bound each compared number is held to, in standard errors: with N numbers compared, the chance that any
    /// lies beyond it when the model is right is at most N · 6.3 × 10⁻⁵.
    public static let bound = 4.0

    /// Rows with a standard error.
    public var compared: [Row] { rows.filter { !$0.standardError.isNaN } }
    public var beyondBound: [Row] { compared.filter { abs($0.z) > Self.bound } }
}

extension Workbench {
    /// Parameter recovery: simulates the scenario within the class of models `fit` estimates (what the fit does not
    /// model is switched off and listed), writes its event log (with or without its data-quality faults), imports
    /// it, fits the scenario's own numbers of live states and personas by EM, matches fitted states and personas
    /// to the true ones by the Viterbi paths' agreement with the recorded truth, and compares every parameter with
    /// its true value in standard errors of a fit of this many users.
    /// - Parameter starts: EM's random starts (``FitOptions/starts``).
    public static func recover(
        _ scenario: Scenario, options: RunOptions, faults: Bool, starts: Int = ScenarioFitOptions.defaultStarts
    ) throws -> RecoveryResult {
        var spec = try prepare(scenario, options: options, writesEventLog: true)
        let changes = withinFittedModel(&spec, faults: faults)
        let progress = ProgressLine(enabled: options.progress)
        defer { progress.finish() }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "segmentlab-recover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The log is scratch: removed when done, and when the command is interrupted.
        let cleanup = InterruptCleanup.register { try? FileManager.default.removeItem(at: folder) }
        defer {
            try? FileManager.default.removeItem(at: folder)
            InterruptCleanup.unregister(cleanup)
        }
        let path = folder.appendingPathComponent("events.csv").path
        let simulator = try Simulator(spec: spec, threads: options.threads, truthDays: .all)
        let writer = try EventLogWriter(
            path: path, format: .csv, seed: spec.seed, dataQuality: faults ? spec.dataQuality : .none)
        _ = try simulator.run(observers: [writer]) {
            progress.update("simulating day", done: $0, total: spec.days)
        }

        let model = spec.model
        let taxonomy = Taxonomy.simulator(
            features: model.features, milestones: model.milestones.map(\.name), plans: model.commerce.plans.map(\.name),
            planPriceCents: model.commerce.plans.map(\.monthlyPriceCents))
        var importer = EventLogImporter(
            files: [path], taxonomy: taxonomy, startDate: spec.startDate,
            asOf: spec.startDate.adding(days: spec.days - 1))
        importer.threads = options.threads
        let log = try importer.load()
        let observations = FitObservations()
        try log.replay(observers: [observations])
        let (data, users) = try observations.sequences()
        let truth = try TrueModel(spec.model, accountSizes: data.accountSizeClassCount > 1)

        progress.update("fitting", done: 0, total: 1)
        let fitOptions = FitOptions(
            liveStates: truth.model.liveStates, personas: truth.model.personas.count,
            sessionFamily: .negativeBinomial, starts: starts, threads: options.threads)
        var fit = try HMMFitter.fit(data, options: fitOptions)
        if let habit = truth.model.habit {
            // As fit adds habit to a chosen size: EM from the fit without it, here with the true half-life.
            fit = try HMMFitter.refine(
                fit.model.addingHabit(halfLifeDays: habit.halfLifeDays), on: data, options: fitOptions
            ).canonicallyOrdered()
        }
        progress.update("decoding", done: 0, total: 1)
        let inference = try HMMInference(model: fit.model, data: data)
        var simulated: [String: Int] = [:]
        for u in 0..<spec.users { simulated[PopulationDirectory.userID(u)] = u }
        let decoding = ViterbiAgreement(
            inference: inference, truth: truth, record: simulator.truth,
            simulatedUser: users.map { simulated[log.population.userIDs[$0]] },
            signupDay: users.map { Int(observations.directory!.signupDay[$0]) })
        let matched = fit.model.relabeled(states: decoding.stateOrder, personas: decoding.personaOrder)

        progress.update("standard errors", done: 0, total: 1)
        // Users of an account sign up together and share its size class and persona: clustered by account.
        let accounts = users.map { Int(observations.directory!.account[$0]) }
        var source = "the users' scores at the true parameters, clustered by account"
        let errors: ParameterStandardErrors
        do {
            errors = try ParameterStandardErrors.outerProductOfScores(
                model: truth.model, data: data, clusters: accounts, threads: options.threads)
        } catch let error as FittingError where error.code == .singularInformation {
            source = "the users' scores at the fitted parameters, clustered by account (singular at the truth)"
            errors = try ParameterStandardErrors.outerProductOfScores(
                model: matched, data: data, clusters: accounts, threads: options.threads)
        }
        var rows = truth.rows(fitted: matched, standardErrors: errors.standardErrors)

        let posterior = PosteriorEstimates(
            inference: inference, observations: observations, users: users,
            requirements: observations.inferredRequirements(users: users),
            categories: max(1, model.commerce.plans.count) * 2, bands: 1, threads: options.threads)
        let conversion = posterior.conversion.fitted()
        for (j, state) in truth.liveStates.enumerated() {
            guard let estimate = conversion[decoding.stateOrder[j]] else { continue }
            let rate = model.commerce.conversion[state]
            rows.append(
                RecoveryResult.Row(
                    name: "\(model.states[state].name): trial conversion", truth: rate,
                    fitted: estimate.rate, standardError: rate > 0 && rate < 1 ? estimate.standardError : .nan))
        }
        return RecoveryResult(
            scenario: scenario.name, users: spec.users, days: spec.days, faults: faults, changes: changes,
            liveStates: truth.model.liveStates, personas: truth.model.personas.count, rows: rows,
            standardErrorSource: source, usersFitted: users.count, usersMatched: decoding.users,
            viterbiAgreement: decoding.agreement, baselineAgreement: decoding.baseline,
            personaAgreement: decoding.personaAgreement, logLikelihood: fit.logLikelihood,
            truthLogLikelihood: try HMMInference(model: truth.model, data: data).logLikelihood(
                threads: options.threads),
            iterations: fit.iterations, converged: fit.converged,
            // The half-life is the truth's, not estimated: one parameter fewer than a fit that chose it.
            parameterCount: fit.parameterCount - (fit.model.habit == nil ? 0 : 1))
    }

    /// Switches off what the hidden Markov model of `fit` does not describe and returns what was changed: habit,
    /// team influence, weekday factors, product changes, campaigns and usage caps; a state whose emissions some
    /// personas override takes the emissions most personas have (the first persona's among equals), since the
    /// model's emissions are shared by all personas. Without `faults`, the data-quality faults too.
    static func withinFittedModel(_ spec: inout SimulationSpec, faults: Bool) -> [String] {
        var changes: [String] = []
        var model = spec.model
        if let team = model.teamInfluence {
            changes.append("team influence off (strength \(DecimalText.fixed(team.strength, 2)))")
            model.teamInfluence = nil
        }
        if model.weekdayFactors.contains(where: { $0 != 1 }) {
            changes.append("weekday factors set to 1")
            model.weekdayFactors = Array(repeating: 1, count: model.weekdayFactors.count)
        }
        if !model.productChanges.isEmpty {
            changes.append("\(model.productChanges.count) product change(s) left out")
            model.productChanges = []
        }
        if spec.interventions != nil {
            changes.append("campaigns left out")
            spec.interventions = nil
        }
        for p in model.commerce.plans.indices where model.commerce.plans[p].hasLimits {
            changes.append("usage caps and lacking features of plan \(model.commerce.plans[p].name) left out")
            model.commerce.plans[p].keyActionsPerWeek = 0
            model.commerce.plans[p].featureDaysPerWeek = model.commerce.plans[p].featureDaysPerWeek.map { _ in 0 }
            model.commerce.plans[p].lacking = 0
        }
        for s in model.states.indices where s != model.churnedState {
            let emissions = model.personas.map { Emission($0.states[s]) }
            guard Set(emissions).count > 1 else { continue }
            let counts = emissions.map { e in emissions.filter { $0 == e }.count }
            let first = counts.firstIndex(of: counts.max()!)!
            let common = emissions[first]
            let overriding = model.personas.indices.filter { emissions[$0] != common }.map { model.personas[$0].name }
            changes.append(
                "\(model.states[s].name): the emissions of \(model.personas[first].name) for every persona "
                    + "(\(overriding.joined(separator: ", ")) had their own)")
            for k in model.personas.indices {
                model.personas[k].states[s].sessions = model.personas[first].states[s].sessions
                model.personas[k].states[s].keyActionsPerSession = model.personas[first].states[s].keyActionsPerSession
                model.personas[k].states[s].featureUse = model.personas[first].states[s].featureUse
            }
        }
        if let habit = model.habit {
            // fit reads the states' levels as their order by session mean; a scenario whose levels are in another
            // order (or tie) has declines the fit cannot express.
            let live = model.states.indices.filter { $0 != model.churnedState }
            let byMean = live.sorted {
                model.personas[0].states[$0].sessions.mean < model.personas[0].states[$1].sessions.mean
            }
            let levels = byMean.map { model.states[$0].level }
            let description =
                "habit (half-life \(DecimalText.fixed(habit.halfLifeDays, 1)) days, strength "
                + "\(DecimalText.fixed(habit.strength, 2)))"
            if zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }) {
                changes.append("\(description) kept, fitted with its true half-life")
            } else {
                changes.append(
                    "\(description) off: its states' levels are not in the order of their session means, which is "
                        + "how fit reads them")
                model.habit = nil
            }
        }
        if !faults && spec.dataQuality != .none {
            changes.append("data-quality faults left out of the log")
        }
        spec.model = model
        return changes
    }

    /// A state's emissions as the fitted model has them.
    private struct Emission: Hashable {
        let sessions: [Double]
        let keyActions: Double
        let features: [Double]

        init(_ state: StateBehaviour) {
            switch state.sessions {
            case .poisson(let mean): sessions = [mean]
            case .negativeBinomial(let mean, let dispersion): sessions = [mean, dispersion]
            }
            keyActions = state.keyActionsPerSession
            features = state.featureUse
        }
    }
}

/// A scenario's behaviour model (brought within the fitted class) as a ``HiddenMarkovModel``, live states in the
/// scenario's order.
struct TrueModel {
    let model: HiddenMarkovModel
    /// The scenario's index of each live state of ``model``.
    let liveStates: [Int]
    let stateNames: [String]
    let personaNames: [String]
    let features: [String]
    /// Live states whose sessions the scenario draws from a Poisson distribution: their dispersion is infinite,
    /// which the negative binomial model approaches at its largest value.
    let poisson: Set<Int>

    /// The largest dispersion of the fit (docs/fitting.md), standing for a Poisson state's infinite one.
    static let poissonDispersion = 1e6

    /// - Parameter accountSizes: Whether the fit sees account sizes (the log has an account of several users): each
    /// persona's users are then spread over the ``AccountSizeClass``es as its team sizes put them.
    init(_ behaviour: BehaviourModel, accountSizes: Bool) throws {
        let live = behaviour.states.indices.filter { $0 != behaviour.churnedState }
        let order = live + [behaviour.churnedState]
        liveStates = live
        stateNames = live.map { behaviour.states[$0].name }
        personaNames = behaviour.personas.map(\.name)
        let reference = behaviour.personas[0].states
        poisson = Set(
            live.indices.filter {
                if case .poisson = reference[live[$0]].sessions { return true }
                return false
            })
        let personas = try behaviour.personas.map { persona in
            PersonaChain(
                share: persona.share, initial: live.map { persona.initialStates[$0] },
                transitions: order.flatMap { i in order.map { j in persona.states[i].next[j] } },
                accountSizes: accountSizes ? try Self.userShares(persona.teamSize) : [1])
        }
        let emissions = live.map { s -> StateEmission in
            let state = reference[s]
            let dispersion: Double
            switch state.sessions {
            case .poisson: dispersion = Self.poissonDispersion
            case .negativeBinomial(_, let k): dispersion = k
            }
            return StateEmission(
                sessionMean: state.sessions.mean, sessionDispersion: dispersion,
                keyActionsPerSession: state.keyActionsPerSession, featureProbabilities: state.featureUse)
        }
        model = try HiddenMarkovModel(
            personas: personas, emissions: emissions, featureCount: behaviour.features.count,
            sessionFamily: .negativeBinomial,
            habit: behaviour.habit.map {
                HabitFeedback(
                    halfLifeDays: $0.halfLifeDays, strength: $0.strength,
                    stateLevels: live.map { behaviour.states[$0].level })
            })
        features = behaviour.features
    }

    /// The share of a persona's users in accounts of each ``AccountSizeClass``: an account of size s holds s users,
    /// so P(class c) = Σ_{s in c} s P(s) / Σ s P(s), with P the team size distribution as the simulator draws it
    /// (`TeamSizeSampler`: 1 + Poisson(mean − 1) capped; a lognormal rounded, at least 1, capped). The last account of
    /// a persona, cut short by its user count, is left out.
    static func userShares(_ size: TeamSize) throws -> [Double] {
        var probability: [Int: Double] = [:]
        switch size {
        case .fixed(let n):
            probability[n] = 1
        case .poisson(let mean, let max):
            if mean <= 1 {
                probability[1] = 1
            } else {
                let poisson = try Poisson(mean: mean - 1)
                for s in 1..<max { probability[s] = poisson.pmf(s - 1) }
                probability[max] = poisson.survival(max - 2)
            }
        case .lognormal(let median, let sigma, let max):
            let lognormal = try Lognormal(zeta: log(median), sigma: sigma)
            for s in 1...max {
                let below = s == 1 ? 0 : lognormal.cdf(Double(s) - 0.5)
                let above = s == max ? 1 : lognormal.cdf(Double(s) + 0.5)
                probability[s] = above - below
            }
        }
        var shares = [Double](repeating: 0, count: AccountSizeClass.count)
        for (s, p) in probability { shares[AccountSizeClass.of(size: s)] += Double(s) * p }
        let total = shares.reduce(0, +)
        return shares.map { $0 / total }
    }

    /// Every parameter of the truth against the fitted model (in the truth's labels), named in the scenario's words.
    /// A Poisson state's dispersion is shown but not compared, nor is a probability whose true value is 0 or 1 (the
    /// scores give it no standard error, or 0 for the one fixed by others at 0).
    func rows(fitted: HiddenMarkovModel, standardErrors: [Double]) -> [RecoveryResult.Row] {
        let truth = model.namedParameters
        let estimate = fitted.namedParameters
        let states = stateNames + ["churned"]
        var rows: [RecoveryResult.Row] = []
        var i = 0
        func add(_ name: String, compared: Bool = true) {
            rows.append(
                RecoveryResult.Row(
                    name: name, truth: truth[i].value, fitted: estimate[i].value,
                    standardError: compared && standardErrors[i] > 0 ? standardErrors[i] : .nan))
            i += 1
        }
        for persona in personaNames {
            add("\(persona): share")
            for s in 0..<model.liveStates { add("\(persona): first state \(states[s])") }
            for s in 0..<model.liveStates {
                for t in 0..<model.stateCount { add("\(persona): \(states[s]) → \(states[t])") }
            }
        }
        for s in 0..<model.liveStates {
            add("\(states[s]): sessions mean")
            add("\(states[s]): sessions dispersion", compared: !poisson.contains(s))
            add("\(states[s]): key actions per session")
            for f in features { add("\(states[s]): \(f)") }
        }
        if model.accountSizeClasses > 1 {
            for persona in personaNames {
                for c in 0..<model.accountSizeClasses {
                    let sizes = AccountSizeClass.sizes(c)
                    add(
                        "\(persona): users in accounts of "
                            + (sizes.lowerBound == sizes.upperBound
                                ? "\(sizes.lowerBound)"
                                : sizes.upperBound == Int.max
                                    ? "\(sizes.lowerBound) or more" : "\(sizes.lowerBound)–\(sizes.upperBound)"))
                }
            }
        }
        if model.habit != nil { add("habit strength") }
        precondition(i == truth.count, "every parameter named")
        return rows
    }
}

/// The Viterbi paths of the fitted users against the simulator's recorded states: the matching of fitted to true
/// states and personas that maximises their agreement over user-days (every permutation tried, up to 8), and the
/// agreement it gives.
struct ViterbiAgreement {
    /// True live state j is fitted state `stateOrder[j]`; true persona k is fitted persona `personaOrder[k]`.
    let stateOrder: [Int]
    let personaOrder: [Int]
    let users: Int
    let agreement: Double
    let baseline: Double
    let personaAgreement: Double

    /// - Parameters:
    ///   - simulatedUser: per fitted user, the simulator's index of the same user (nil for an id the simulator did
    ///     not write, such as a duplicate identity).
    ///   - signupDay: per fitted user, the replay day their observed days start on.
    init(
        inference: HMMInference, truth: TrueModel, record: TruthRecord, simulatedUser: [Int?], signupDay: [Int]
    ) {
        let n = inference.model.stateCount
        let k = inference.model.personas.count
        // True state (scenario index) → the true model's index.
        var trueIndex = [Int](repeating: -1, count: record.stateNames.count)
        for (j, s) in truth.liveStates.enumerated() { trueIndex[s] = j }
        trueIndex[record.churnedState] = n - 1
        var states = [Double](repeating: 0, count: n * n)
        var personas = [Double](repeating: 0, count: k * k)
        var matched = 0
        for (i, simulated) in simulatedUser.enumerated() {
            guard let simulated, let path = inference.viterbi(user: i) else { continue }
            matched += 1
            personas[path.persona * k + record.persona(user: simulated)] += 1
            for (t, fitted) in path.states.enumerated() {
                guard let state = record.state(user: simulated, day: signupDay[i] + t) else { continue }
                states[fitted * n + trueIndex[state]] += 1
            }
        }
        users = matched
        let live = n - 1
        let stateOrder = Self.bestMatch(states, size: live, stride: n)
        let personaOrder = Self.bestMatch(personas, size: k, stride: k)
        self.stateOrder = stateOrder
        self.personaOrder = personaOrder
        let total = states.reduce(0, +)
        var agreeing = states[live * n + live]
        for j in 0..<live { agreeing += states[stateOrder[j] * n + j] }
        agreement = total > 0 ? agreeing / total : .nan
        let trueCounts = (0..<n).map { j in (0..<n).reduce(0.0) { $0 + states[$1 * n + j] } }
        baseline = total > 0 ? trueCounts.max()! / total : .nan
        let personaAgreeing = (0..<k).reduce(0.0) { $0 + personas[personaOrder[$1] * k + $1] }
        personaAgreement = matched > 0 ? personaAgreeing / Double(matched) : .nan
    }

    /// The assignment of fitted labels to true ones (true j ↦ fitted order[j]) with the most counts on the matched
    /// cells of `counts[fitted · stride + true]`; the identity beyond 8 labels.
    private static func bestMatch(_ counts: [Double], size: Int, stride: Int) -> [Int] {
        guard size <= 8 else { return Array(0..<size) }
        var order = Array(0..<size)
        var best = order
        var bestScore = -1.0
        while true {
            let score = (0..<size).reduce(0.0) { $0 + counts[order[$1] * stride + $1] }
            if score > bestScore {
                bestScore = score
                best = order
            }
            // The next permutation in lexicographic order; done after the last.
            guard let i = (0..<(size - 1)).last(where: { order[$0] < order[$0 + 1] }) else { break }
            let j = ((i + 1)..<size).last { order[$0] > order[i] }!
            order.swapAt(i, j)
            order[(i + 1)...].reverse()
        }
        return best
    }
}

extension RecoveryResult {
    /// The result as Markdown: the summary, the changes made to the scenario, and every number.
    public var markdown: String {
        func number(_ x: Double) -> String { x.isNaN ? "–" : DecimalText.fixed(x, abs(x) >= 100 ? 1 : 4) }
        let beyond = beyondBound
        var lines = [
            "# Parameter recovery: \(scenario)\(faults ? " (log with its data-quality faults)" : "")",
            "",
            "\(users) users × \(days) days simulated, the event log written"
                + "\(faults ? " with the scenario's data-quality faults" : " without faults") and imported; "
                + "\(usersFitted) users fitted with \(liveStates) live states and \(personas) personas "
                + "(log-likelihood \(DecimalText.fixed(logLikelihood, 1)), \(iterations) EM iterations"
                + "\(converged ? "" : ", not converged"); at the true parameters "
                + DecimalText.fixed(truthLogLikelihood, 1)
                + (truthLogLikelihood > logLikelihood ? ", higher: EM stopped at a local maximum)." : ")."),
            "",
            likelihoodRatio.map {
                "- Likelihood ratio of the fit against the truth: 2(ℓ̂ − ℓ₀) = \(DecimalText.fixed($0.statistic, 1)) on "
                    + "\(parameterCount) free parameters, p "
                    + ($0.pValue > 0.9999 ? "> 0.9999" : "= " + DecimalText.fixed($0.pValue, 4)) + " (χ²)."
            } ?? "- Likelihood ratio: the fit is below the truth, a local maximum.",
            "- Compared: \(compared.count) numbers; beyond \(DecimalText.fixed(Self.bound, 0)) standard errors: "
                + "\(beyond.count)\(beyond.isEmpty ? "" : " (" + beyond.map(\.name).joined(separator: "; ") + ")").",
            "- Largest |z|: \(DecimalText.fixed(compared.map { abs($0.z) }.max() ?? 0, 2)); standard errors from "
                + "\(standardErrorSource).",
            "- Not compared (a true probability of 0 or 1, such as a transition the scenario never makes, or a "
                + "Poisson state's infinite dispersion): \(rows.count - compared.count); the largest fitted value "
                + "where the truth is 0: \(number(rows.filter { $0.truth == 0 }.map(\.fitted).max() ?? 0)).",
            "- Viterbi states equal to the recorded truth on \(DecimalText.fixed(100 * viterbiAgreement, 1)) % of "
                + "the user-days of \(usersMatched) users (always guessing the most common state: "
                + "\(DecimalText.fixed(100 * baselineAgreement, 1)) %); most likely persona the true one for "
                + "\(DecimalText.fixed(100 * personaAgreement, 1)) %.",
        ]
        if !changes.isEmpty {
            lines += ["", "Simulated within the fitted model's class:"] + changes.map { "- \($0)" }
        }
        lines += ["", "| parameter | true | fitted | SE | z |", "|---|---:|---:|---:|---:|"]
        for row in rows {
            let flag = abs(row.z) > Self.bound ? " **" : ""
            lines.append(
                "| \(row.name) | \(number(row.truth)) | \(number(row.fitted)) | \(number(row.standardError)) | "
                    + "\(flag)\(row.z.isNaN ? "–" : DecimalText.fixed(row.z, 2))\(flag) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
