#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How to fit a hidden Markov model by EM.
public struct FitOptions: Sendable, Hashable {
    /// Live engagement states S (churned comes on top), 1 … 16 as in the scenario format.
    public var liveStates: Int
    /// Personas K of the mixture, 1 … 64.
    public var personas: Int
    public var sessionFamily: SessionFamily
    /// Random starting points, ranked by one round of successive halving over ``exploratoryIterations``; the best is
    /// carried on to convergence.
    public var starts: Int
    public static let defaultStarts = 4
    /// EM iterations the last starts of the successive halving get before the best is chosen; the first round runs
    /// half of them ("short runs", as in C. Biernacki, G. Celeux and
    /// G. Govaert, "Choosing starting values for the EM algorithm…", Computational Statistics & Data Analysis 41,
    /// 2003): cheaper than running every start to the end. The default, 60 on 2 000 users, costs what 10 on 10 000
    /// did, and ranks starts by where they are going rather than where they began: on the default scenario's log
    /// (6 live states, 3 personas, 20 000 users) 10 iterations chose a start that ended 4 087 below the log-likelihood
    /// of the true parameters, 60 one that ended 46 above it (`segmentlab recover`, docs/fitting.md). Unused with a
    /// single start.
    public var exploratoryIterations: Int
    /// Users the starts are compared on: with more users than this, the exploratory iterations run on this many,
    /// evenly spaced through the data (users ⌊i·n/m⌋), and only the chosen start continues on all of them. Ranking
    /// starts needs far fewer users than estimating, and with several starts the exploratory iterations would
    /// otherwise cost more than the fit itself.
    public var exploratoryUsers: Int
    /// E-steps at most, the exploratory ones of the chosen start included.
    public var maxIterations: Int
    /// Converged when an iteration changes the log-likelihood by at most this fraction of its size.
    public var tolerance: Double
    /// Seed of the starting points.
    public var seed: UInt64
    /// Worker threads of the E-step; the result does not depend on it.
    public var threads: Int
    /// Calendar days of product releases (``ProductRelease``) every start has, their factors starting at 1 and
    /// estimated with the rest.
    public var releaseDays: [Int]

    public init(
        liveStates: Int, personas: Int = 1, sessionFamily: SessionFamily = .negativeBinomial,
        starts: Int = defaultStarts,
        exploratoryIterations: Int = 60, exploratoryUsers: Int = 2_000, maxIterations: Int = 1000,
        tolerance: Double = 1e-8, seed: UInt64 = 1, threads: Int = 1, releaseDays: [Int] = []
    ) {
        self.liveStates = liveStates
        self.personas = personas
        self.sessionFamily = sessionFamily
        self.starts = starts
        self.exploratoryIterations = exploratoryIterations
        self.exploratoryUsers = exploratoryUsers
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
        self.threads = threads
        self.releaseDays = releaseDays
    }

    func validate() throws {
        var problems: [String] = []
        if !(1...HiddenMarkovModel.maximumLiveStates).contains(liveStates) {
            problems.append("liveStates: must be between 1 and \(HiddenMarkovModel.maximumLiveStates)")
        }
        if !(1...64).contains(personas) { problems.append("personas: must be between 1 and 64") }
        if starts < 1 { problems.append("starts: must be ≥ 1") }
        if exploratoryIterations < 1 { problems.append("exploratoryIterations: must be ≥ 1") }
        if exploratoryUsers < 1 { problems.append("exploratoryUsers: must be ≥ 1") }
        if maxIterations < 1 { problems.append("maxIterations: must be ≥ 1") }
        if !(tolerance > 0 && tolerance.isFinite) { problems.append("tolerance: must be finite and > 0") }
        if threads < 1 { problems.append("threads: must be ≥ 1") }
        guard problems.isEmpty else { throw FittingError(.invalidOptions, problems.joined(separator: "\n")) }
    }
}

/// A fitted model and how the fit went.
public struct HMMFit: Sendable {
    /// The model at the last E-step, live states ordered by session mean and personas by share
    /// (``HiddenMarkovModel/canonicallyOrdered()``).
    public let model: HiddenMarkovModel
    /// log P(data | model).
    public let logLikelihood: Double
    /// E-steps of the chosen start, its exploratory ones included.
    public let iterations: Int
    /// Whether the relative change of the log-likelihood fell below the tolerance within the iterations allowed.
    public let converged: Bool
    /// The log-likelihood of every start after the exploratory iterations it ran (all of them for the better half,
    /// half of them for a start dropped at the halving), in start order (−∞ for a start whose likelihood was
    /// 0), on the users the starts were compared on (``FitOptions/exploratoryUsers``).
    public let startLogLikelihoods: [Double]
    /// Users the model was fitted to: the n of BIC.
    public let userCount: Int

    /// Free parameters (``HiddenMarkovModel/freeParameterCount``).
    public var parameterCount: Int { model.freeParameterCount }

    /// The same fit with its model's states and personas in canonical order
    /// (``HiddenMarkovModel/canonicallyOrdered()``).
    public func canonicallyOrdered() -> HMMFit {
        HMMFit(
            model: model.canonicallyOrdered(), logLikelihood: logLikelihood, iterations: iterations,
            converged: converged, startLogLikelihoods: startLogLikelihoods, userCount: userCount)
    }

    /// The Bayesian information criterion −2 log L + p log n, with n the number of users (the independent units;
    /// a user's days are not independent of each other). Lower is better.
    public var bic: Double { -2 * logLikelihood + Double(parameterCount) * log(Double(userCount)) }
}

/// Maximum-likelihood fits of ``HiddenMarkovModel`` by EM (the Baum–Welch algorithm with a mixture over users).
public enum HMMFitter {
    /// Fits S live states and K personas from several random starts and keeps the best.
    ///
    /// The starts run EM on at most ``FitOptions/exploratoryUsers`` users, the better half of them (after half the
    /// iterations) to ``FitOptions/exploratoryIterations``; the one of those with the highest log-likelihood (the
    /// first of equals) then runs to convergence on all users. Every step is deterministic given the options, and the E-step
    /// sums in a fixed order, so the fitted numbers are bit-for-bit the same at any thread count.
    /// - Complexity: per iteration, O(days up to each user's last session × K (S + 1)²) plus O(active days × S F)
    ///   for the emissions; the silent days after a user's last session cost O(K S³) per user.
    /// - Throws: ``FittingError``: ``FittingError/Code/invalidOptions`` for options out of range or a data set
    ///   without users, ``FittingError/Code/impossibleData`` when no start gives a positive likelihood.
    public static func fit(_ data: UserDaySequences, options: FitOptions) throws -> HMMFit {
        try options.validate()
        guard data.userCount > 0 else { throw FittingError(.invalidOptions, "the data hold no user") }
        let points = StartingPoints(data)
        let releases = options.releaseDays.map {
            ProductRelease(
                day: $0, keyActionFactor: 1, featureFactors: Array(repeating: 1, count: data.featureCount))
        }
        let startModels = (0..<options.starts).map {
            points.model(
                start: $0, liveStates: options.liveStates, personas: options.personas,
                featureCount: data.featureCount, family: options.sessionFamily, seed: options.seed
            ).replacing(releases: releases)
        }
        guard options.starts > 1 else {
            let run = expectationMaximization(from: startModels[0], data: data, options: options, iterations: nil)
            return try finished(run, startLogLikelihoods: [run.logLikelihood], data: data)
        }
        let exploratory = min(options.exploratoryIterations, options.maxIterations)
        let sample =
            data.userCount > options.exploratoryUsers
            ? data.selecting(users: data.evenlySpacedUsers(options.exploratoryUsers)) : nil
        let (runs, finalists) = successiveHalving(
            startModels, data: sample ?? data, options: options, iterations: exploratory)
        let likelihoods = runs.map(\.logLikelihood)
        guard
            let best = finalists.filter({ likelihoods[$0].isFinite }).max(by: { likelihoods[$0] < likelihoods[$1] })
        else {
            throw FittingError(.impossibleData, "the likelihood is 0 at every one of the \(options.starts) starts")
        }
        var run = runs[best]
        if (!run.converged || sample != nil) && exploratory < options.maxIterations {
            // On all users the subsample's last log-likelihood is no reference for convergence.
            run = run.continued(
                on: data, options: options, iterations: options.maxIterations - exploratory,
                after: sample == nil ? run.logLikelihood : -.infinity)
        } else if sample != nil {
            // No iteration left for all users: the exploratory model, with its log-likelihood on all of them.
            let logLikelihood = HMMInference(checked: run.model, data: data).logLikelihood(threads: options.threads)
            run = EMRun(
                model: run.model, nextModel: run.nextModel, logLikelihood: logLikelihood, iterations: run.iterations,
                converged: false)
        }
        return try finished(run, startLogLikelihoods: likelihoods, data: data)
    }

    /// The starts ranked by one round of successive halving (K. Jamieson and A. Talwalkar, "Non-stochastic best arm
    /// identification and hyperparameter optimization", AISTATS 2016): every start runs half of `iterations`, the
    /// better half of them (rounded up) continue to all `iterations`, and the last choice is made among those. With
    /// 8 starts and 60 iterations: 8 run 30 and 4 continue to 60, 360 iterations instead of 480. A second round (8
    /// run 15, 4 to 30, 2 to 60: 240) cut the start that finds the default scenario's personas: its `recover` stopped
    /// at a local maximum 202 below the truth's log-likelihood, the personas right for 51.5 % of the users, where one
    /// round ends 155 above it with 97.9 % (docs/fitting.md). With 2 starts or fewer, every start runs them all. A
    /// start cut early keeps the run it was cut at.
    /// - Returns: Each start's run, in start order, and the starts of the last round, in start order.
    private static func successiveHalving(
        _ starts: [HiddenMarkovModel], data: UserDaySequences, options: FitOptions, iterations: Int
    ) -> (runs: [EMRun], finalists: [Int]) {
        let cut = starts.count > 2
        var runs = starts.map {
            expectationMaximization(
                from: $0, data: data, options: options, iterations: cut ? (iterations + 1) / 2 : iterations)
        }
        guard cut else { return (runs, Array(runs.indices)) }
        // The better half by log-likelihood (the earlier start of equals), −∞ last.
        let ranked = runs.indices.sorted { (runs[$0].logLikelihood, -$0) > (runs[$1].logLikelihood, -$1) }
        let finalists = Array(ranked.prefix((starts.count + 1) / 2)).sorted()
        for i in finalists where !runs[i].converged && runs[i].logLikelihood.isFinite {
            runs[i] = runs[i].continued(
                on: data, options: options, iterations: iterations - runs[i].iterations, after: runs[i].logLikelihood)
        }
        return (runs, finalists)
    }

    /// Runs EM from a given model, without random starts: to refine a model known roughly, or to refit a resampled
    /// data set from the original estimate (which keeps the states' labels).
    /// - Throws: ``FittingError`` as ``fit(_:options:)``, and ``FittingError/Code/invalidModel`` when the model's
    ///   feature count differs from the data's.
    public static func refine(
        _ model: HiddenMarkovModel, on data: UserDaySequences, options: FitOptions
    ) throws -> HMMFit {
        try options.validate()
        guard data.userCount > 0 else { throw FittingError(.invalidOptions, "the data hold no user") }
        guard model.featureCount == data.featureCount else {
            throw FittingError(
                .invalidModel,
                "the model describes \(model.featureCount) features, the data record \(data.featureCount)")
        }
        let run = expectationMaximization(from: model, data: data, options: options, iterations: nil)
        return try finished(run, startLogLikelihoods: [run.logLikelihood], data: data, reorder: false)
    }

    private static func finished(
        _ run: EMRun, startLogLikelihoods: [Double], data: UserDaySequences, reorder: Bool = true
    ) throws -> HMMFit {
        guard run.logLikelihood.isFinite else {
            throw FittingError(.impossibleData, "the likelihood of the data is 0 under the starting model")
        }
        return HMMFit(
            model: reorder ? run.model.canonicallyOrdered() : run.model, logLikelihood: run.logLikelihood,
            iterations: run.iterations, converged: run.converged, startLogLikelihoods: startLogLikelihoods,
            userCount: data.userCount)
    }

    /// One EM run: the model of the last E-step with its log-likelihood, and the M-step's model after it (where a
    /// continued run starts).
    struct EMRun {
        let model: HiddenMarkovModel
        let nextModel: HiddenMarkovModel
        let logLikelihood: Double
        let iterations: Int
        let converged: Bool

        /// The run carried on by EM from its next model for at most `iterations` more E-steps, convergence judged
        /// against `after` for the first of them; its iterations count both parts.
        func continued(on data: UserDaySequences, options: FitOptions, iterations: Int, after: Double) -> EMRun {
            let rest = HMMFitter.expectationMaximization(
                from: nextModel, data: data, options: options, iterations: iterations, after: after)
            return EMRun(
                model: rest.model, nextModel: rest.nextModel, logLikelihood: rest.logLikelihood,
                iterations: self.iterations + rest.iterations, converged: rest.converged)
        }
    }

    /// EM from `model` for at most `iterations` E-steps (``FitOptions/maxIterations`` when nil), stopping when the
    /// relative change of the log-likelihood is at most the tolerance or the likelihood is 0. `previous` is the
    /// log-likelihood of the iteration before `model`, when the run continues another.
    ///
    /// EM is accelerated by squared extrapolation (SQUAREM, scheme 3 of R. Varadhan and C. Roland, "Simple and
    /// globally convergent methods for accelerating the convergence of any EM algorithm", Scandinavian Journal of
    /// Statistics 35, 2008): from θ₀ and two EM steps θ₁, θ₂, with r = θ₁ − θ₀, v = θ₂ − 2θ₁ + θ₀ and
    /// α = ‖r‖/‖v‖, the point θ₀ + 2αr + α²v (in ``coordinates(of:)``, where every point is a model). It is kept
    /// only if its log-likelihood is at least θ₁'s, so the log-likelihood never falls; otherwise the run goes on from
    /// θ₁. α starts capped at 1 (plain EM) and the cap grows fourfold while extrapolations succeed at it, shrinking
    /// back after a failure. Where EM crawls along a flat ridge of the likelihood — typical of personas told apart
    /// only by their transitions, and of models with a state too many — this takes several times fewer E-steps.
    static func expectationMaximization(
        from model: HiddenMarkovModel, data: UserDaySequences, options: FitOptions, iterations: Int?,
        after previousLogLikelihood: Double = -.infinity
    ) -> EMRun {
        let limit = iterations ?? options.maxIterations
        func step(_ model: HiddenMarkovModel) -> (logLikelihood: Double, next: HiddenMarkovModel) {
            let statistics = HMMInference(checked: model, data: data).expectedStatistics(threads: options.threads)
            return (statistics.logLikelihood, model.maximized(from: statistics, sessionValues: data.sessionValues))
        }
        var current = model
        var (logLikelihood, next) = step(current)
        var steps = 1
        var previous = previousLogLikelihood
        var stepCap = 1.0
        while true {
            let converged =
                logLikelihood.isFinite && previous.isFinite
                && abs(logLikelihood - previous) <= options.tolerance * abs(logLikelihood)
            if converged || !logLikelihood.isFinite || steps >= limit {
                return EMRun(
                    model: current, nextModel: next, logLikelihood: logLikelihood, iterations: steps,
                    converged: converged)
            }
            previous = logLikelihood
            let (firstLogLikelihood, second) = step(next)
            steps += 1
            let extrapolated =
                firstLogLikelihood.isFinite && steps < limit
                ? extrapolate(current, next, second, cap: stepCap) : nil
            guard let (candidate, alpha) = extrapolated else {
                (current, logLikelihood, next) = (next, firstLogLikelihood, second)
                continue
            }
            let (candidateLogLikelihood, candidateNext) = step(candidate)
            steps += 1
            if candidateLogLikelihood.isFinite && candidateLogLikelihood >= firstLogLikelihood {
                (current, logLikelihood, next) = (candidate, candidateLogLikelihood, candidateNext)
                if alpha == stepCap { stepCap *= 4 }
            } else {
                (current, logLikelihood, next) = (next, firstLogLikelihood, second)
                if alpha == stepCap { stepCap = max(1, stepCap / 4) }
            }
        }
    }

    /// The SQUAREM point from θ₀ and its two EM steps, and the step length used; nil when the coordinates are not
    /// finite (an EM step set a probability to 0).
    private static func extrapolate(
        _ start: HiddenMarkovModel, _ first: HiddenMarkovModel, _ second: HiddenMarkovModel, cap: Double
    ) -> (HiddenMarkovModel, Double)? {
        let x0 = start.coordinates(of: start)
        let x1 = start.coordinates(of: first)
        let x2 = start.coordinates(of: second)
        var rr = 0.0
        var vv = 0.0
        for i in x0.indices {
            let r = x1[i] - x0[i]
            let v = x2[i] - 2 * x1[i] + x0[i]
            rr += r * r
            vv += v * v
        }
        guard rr.isFinite, vv.isFinite, vv > 0 else { return nil }
        let alpha = min(cap, max(1, (rr / vv).squareRoot()))
        let x = x0.indices.map { i in
            let r = x1[i] - x0[i]
            let v = x2[i] - 2 * x1[i] + x0[i]
            return x0[i] + 2 * alpha * r + alpha * alpha * v
        }
        return (start.model(at: x), alpha)
    }
}
