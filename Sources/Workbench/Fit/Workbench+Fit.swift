public import EventImport
import Fitting
import Foundation
import Segmentation
import Stats
import UsageModel

/// What `segmentlab fit` was asked to do.
public struct ScenarioFitOptions: Sendable {
    /// The log, read as `segmentlab segment` reads it; its segments, schedule, shard and output folder are not used.
    public var log: SegmentOptions
    /// The scenario to write: a new `.yaml` or `.yml` file, whose base name names the scenario.
    public var out: String
    /// The sizes fitted; BIC chooses among them.
    public var liveStates: ClosedRange<Int>
    public var personas: ClosedRange<Int>
    /// Random EM starts per size (``FitOptions/starts``).
    public var starts: Int
    /// Twice the library's: with 4, the recovery of the default scenario (accounts of one user and of several)
    /// stopped at a local maximum below the truth's likelihood, the personas right for half the users; with 8 it
    /// found them for 98 % (docs/fitting.md).
    public static let defaultStarts = 8
    /// Told one line per size once it is fitted (its log-likelihood, BIC, iterations and time): how a long fit
    /// shows where it is.
    public var sizeFitted: (@Sendable (String) -> Void)?

    /// Users every choice of structure is made on when the log has more, evenly spaced: the product releases, the
    /// size (``ModelSelection``), habit feedback (``HabitSelection``: half trained on, half held out), the split by
    /// account size and the releases' pruning. Enough to tell sizes apart; the model they lead to is then refitted
    /// to all users once, where each EM iteration costs as much as ten on the sample.
    public var selectionUsers = defaultSelectionUsers
    public static let defaultSelectionUsers = 10_000
    /// The habit half-lives tried (``HabitSelection``), in days; none: no habit feedback.
    public var habitHalfLives = defaultHabitHalfLives
    public static let defaultHabitHalfLives = HabitSelection.defaultHalfLives

    public static let defaultLiveStates = 2...8
    public static let defaultPersonas = 1...3
    /// Live states a scenario can hold beside churned.
    public static let liveStateLimit = 1...15
    public static let personaLimit = 1...64

    public init(
        log: SegmentOptions, out: String, liveStates: ClosedRange<Int> = defaultLiveStates,
        personas: ClosedRange<Int> = defaultPersonas, starts: Int = defaultStarts,
        sizeFitted: (@Sendable (String) -> Void)? = nil
    ) {
        self.starts = starts
        self.sizeFitted = sizeFitted
        self.log = log
        self.out = out
        self.liveStates = liveStates
        self.personas = personas
    }
}

/// What `segmentlab fit` wrote.
public struct ScenarioFitOutcome: Sendable {
    public let path: String
    public let summary: ImportSummary
    public let users: Int
    /// The size chosen, as `4 live states and 2 personas`.
    public let size: String
    public let logLikelihood: Double
    public let bic: Double
    /// Sizes fitted.
    public let sizes: Int
    /// Seconds spent reading the log (import and replay), before any fitting.
    public let readSeconds: Double
    /// Seconds each step of the fit took, in order, from the release probe to the scenario written: where a long fit
    /// spends its time. Not in the scenario, whose bytes depend on the log and options alone.
    public let stepSeconds: [(step: String, seconds: Double)]
}

extension Workbench {
    /// Fits a scenario to an event log: imports it as `segment` does, fits hidden Markov models of the sizes asked
    /// for by EM, keeps the one BIC prefers, estimates weekday factors, team size, plans, trial conversion and
    /// milestones beside it, and writes the scenario (checked by loading it) to a new file through a staged copy.
    public static func fit(_ options: ScenarioFitOptions) throws -> ScenarioFitOutcome {
        try checkFitOptions(options)
        let started = Date()
        let progress = ProgressLine(enabled: options.log.progress)
        defer { progress.finish() }
        // Beside the import: the days kept while replaying, the model's data, the columns per user and account.
        let (compiled, log) = try importLog(options.log, progress: progress) {
            $0.activeUserDays * 50 + $0.userCount * 200
        }
        let observations = FitObservations()
        try log.replay(observers: [observations]) {
            progress.update("replaying day", done: $0, total: log.directory.days)
        }
        let (data, users) = try observations.sequences()
        let readSeconds = Date().timeIntervalSince(started)
        var stepSeconds: [(step: String, seconds: Double)] = []
        var stepStarted = Date()
        func stepDone(_ step: String) {
            stepSeconds.append((step, Date().timeIntervalSince(stepStarted)))
            stepStarted = Date()
        }
        guard !users.isEmpty else {
            throw RunError.badInput("no user of the log signed up on or after its first day, so none can be fitted")
        }
        // Every choice of structure is made on a sample of the users; the model it leads to is then refitted to all.
        let sampled = data.evenlySpacedUsers(options.selectionUsers)
        let sample = sampled.count < data.userCount ? data.selecting(users: sampled) : data
        progress.update("product releases", done: 0, total: 1)
        let probe = try releaseProbe(sample, days: observations.observedDays, options: options)
        stepDone("release probe")
        let selection = try fitSizes(
            sample, releaseDays: probe.fit?.model.releases.map(\.day) ?? [], options: options, progress: progress)
        stepDone("sizes")
        progress.update("habit feedback", done: 0, total: 1)
        let habit = try habitFeedback(selection.best, data: sample, options: options)
        stepDone("habit")
        progress.update("splitting personas by account size", done: 0, total: 1)
        let split = try splitByAccountBand(
            habit?.fit ?? selection.best.fit, liveStates: selection.best.liveStates, data: sample, options: options)
        stepDone("account-size split")
        progress.update("product releases", done: 0, total: 1)
        let chosen = split?.kept == true ? split!.fit : (habit?.fit ?? selection.best.fit)
        let refitOptions = FitOptions(
            liveStates: chosen.model.liveStates, personas: chosen.model.personas.count,
            sessionFamily: .negativeBinomial, starts: 1, threads: options.log.threads)
        let pruning = try ReleasePruning.prune(
            chosen, data: sample, clusters: sampled.map { Int(log.directory.account[users[$0]]) },
            options: refitOptions)
        let releases = try ReleaseSearch.search(
            from: pruning.fit ?? chosen, data: sample, days: observations.observedDays, options: refitOptions)
        let structure = FittedScenario.structure(
            selection: selection, habit: habit, split: split, pruning: pruning, releases: releases)
        stepDone("release pruning and search")
        progress.update("refitting to all users", done: 0, total: 1)
        let final =
            sample.userCount < data.userCount
            ? try HMMFitter.refine(structure.model, on: data, options: refitOptions).canonicallyOrdered() : structure
        stepDone("refit to all users")
        progress.update("standard errors and posteriors", done: 0, total: 1)
        let scenario = try fittedScenario(
            selection, habit: habit, split: split, releaseProbe: probe, pruning: pruning, releases: releases,
            final: final, data: data, users: users,
            observations: observations, log: log,
            vocabulary: compiled.vocabulary, options: options)
        let yaml = scenario.yaml
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: options.out)
        } catch {
            throw RunError.failed("the fitted scenario does not load, a bug of fit; nothing was written:\n\(error)")
        }
        try writeNewFile(yaml, to: options.out)
        stepDone("standard errors and posteriors")
        return ScenarioFitOutcome(
            path: options.out, summary: log.summary, users: users.count, size: scenario.size,
            logLikelihood: scenario.fit.logLikelihood, bic: scenario.fit.bic,
            sizes: selection.candidates.count, readSeconds: readSeconds, stepSeconds: stepSeconds)
    }

    /// Habit feedback for the chosen size, judged on held-out users (``HabitSelection``, half of the users the sizes
    /// were compared on) and, when kept, refitted to all of those users by EM from the chosen size's fit with the
    /// held-out winner's half-life and strength. nil when no half-life is asked for.
    private static func habitFeedback(
        _ chosen: ModelSelection.Candidate, data: UserDaySequences, options: ScenarioFitOptions
    ) throws -> FittedScenario.HabitChoice? {
        guard !options.habitHalfLives.isEmpty else { return nil }
        let fitOptions = FitOptions(
            liveStates: chosen.liveStates, personas: chosen.personas, sessionFamily: .negativeBinomial, starts: 1,
            threads: options.log.threads)
        let selection = try HabitSelection.byHeldOutLikelihood(
            chosen.fit.model, data: data, halfLives: options.habitHalfLives, options: fitOptions)
        guard let halfLife = selection.chosen.halfLifeDays, let trained = selection.chosen.training.model.habit else {
            return FittedScenario.HabitChoice(selection: selection, fit: nil)
        }
        let start = chosen.fit.model.addingHabit(halfLifeDays: halfLife, strength: trained.strength)
        let fit = try HMMFitter.refine(start, on: data, options: fitOptions).canonicallyOrdered()
        return FittedScenario.HabitChoice(selection: selection, fit: fit)
    }

    /// When the log has users alone in an account and users in teams: the model with each persona split into the
    /// two (``HiddenMarkovModel/splitByAccountBand(users:minimumUsers:)``, parts of at least 10 users), refined by EM
    /// on the users given; kept when its BIC is lower. nil when nothing splits.
    private static func splitByAccountBand(
        _ fit: HMMFit, liveStates: Int, data: UserDaySequences, options: ScenarioFitOptions
    ) throws -> FittedScenario.BandSplit? {
        guard accountBands(data) == 2,
            let start = fit.model.splitByAccountBand(users: data.userCount, minimumUsers: 10)
        else { return nil }
        let refined = try HMMFitter.refine(
            start, on: data,
            options: FitOptions(
                liveStates: liveStates, personas: start.personas.count, sessionFamily: .negativeBinomial,
                starts: 1, threads: options.log.threads)
        ).canonicallyOrdered()
        return FittedScenario.BandSplit(fit: refined, unsplit: fit, kept: refined.bic < fit.bic)
    }

    /// 2 when the data hold users alone in an account and users in accounts of several, else 1.
    private static func accountBands(_ data: UserDaySequences) -> Int {
        let alone = (0..<data.userCount).filter { data.accountSizeClass(user: $0) == 0 }.count
        return alone > 0 && alone < data.userCount ? 2 : 1
    }

    /// Product releases found before the sizes are compared (``ReleaseSearch``), with two live states (or one, when
    /// that is the most asked for) and one persona: a model with room to spare would give a release states of its
    /// own (the same sessions, more key actions), which the sizes would keep after the release is in the model.
    /// The search runs on the users the sizes are compared on.
    private static func releaseProbe(
        _ data: UserDaySequences, days: Int, options: ScenarioFitOptions
    ) throws -> ReleaseSearch {
        let probeOptions = FitOptions(
            liveStates: min(2, options.liveStates.upperBound), personas: 1, sessionFamily: .negativeBinomial, starts: 1,
            threads: options.log.threads)
        return try ReleaseSearch.search(
            from: try HMMFitter.fit(data, options: probeOptions), data: data, days: days, options: probeOptions)
    }

    /// Every size asked for, fitted by EM with negative binomial sessions and the releases found before; each is
    /// told to `sizeFitted` when done.
    private static func fitSizes(
        _ data: UserDaySequences, releaseDays: [Int], options: ScenarioFitOptions, progress: ProgressLine
    ) throws -> ModelSelection {
        progress.update("fitting model sizes", done: 0, total: options.liveStates.count * options.personas.count)
        var started = Date()
        return try ModelSelection.byBIC(
            data, liveStates: options.liveStates, personas: options.personas,
            options: FitOptions(
                liveStates: options.liveStates.lowerBound, personas: options.personas.lowerBound,
                sessionFamily: .negativeBinomial, starts: options.starts, threads: options.log.threads,
                releaseDays: releaseDays)
        ) { candidate, done, total in
            let fit = candidate.fit
            progress.finish()
            options.sizeFitted?(
                FittedScenario.counted(candidate.liveStates, "live state") + " and "
                    + FittedScenario.counted(candidate.personas, "persona")
                    + " on \(fit.userCount) users: log-likelihood "
                    + "\(DecimalText.fixed(fit.logLikelihood, 1)), BIC \(DecimalText.fixed(fit.bic, 1)), "
                    + "\(fit.iterations) EM iterations\(fit.converged ? "" : " (not converged)"), "
                    + "\(DecimalText.fixed(Date().timeIntervalSince(started), 1)) s")
            started = Date()
            progress.update("fitting model sizes", done: done, total: total)
        }
    }

    /// The scenario of the model BIC chose, with its standard errors and everything estimated beside it.
    private static func fittedScenario(
        _ selection: ModelSelection, habit: FittedScenario.HabitChoice?, split: FittedScenario.BandSplit?,
        releaseProbe: ReleaseSearch, pruning: ReleasePruning, releases: ReleaseSearch, final: HMMFit,
        data: UserDaySequences,
        users: [Int], observations: FitObservations,
        log: ImportedEventLog,
        vocabulary: Vocabulary, options: ScenarioFitOptions
    ) throws -> FittedScenario {
        let model = final.model
        let threads = options.log.threads
        let plans = vocabulary.plans.isEmpty ? ["free"] : vocabulary.plans
        let requirements = observations.inferredRequirements(users: users)
        let bands = accountBands(data)
        let posterior = PosteriorEstimates(
            inference: try HMMInference(model: model, data: data), observations: observations, users: users,
            requirements: requirements, categories: plans.count * 2, bands: bands, threads: threads)
        let directory = log.directory
        let billing = billing(
            posterior.billing, observations: observations, users: users, personas: model.personas.count)
        // Users whose trial ends without converting stay, on the plan most of them went to: churn is the model's.
        let afterTrial =
            billing.contains { $0.trialDays > 0 }
            ? mostCommon(
                users.filter { observations.trialEnd[$0] >= 0 && !observations.converted[$0] }
                    .map { Int(observations.planFrom[$0]) }, count: plans.count) ?? 0 : nil
        return FittedScenario(
            name: scenarioName(options.out), startDate: directory.startDate, days: directory.days,
            users: users.count, signupDays: users.map { Int(directory.signupDay[$0]) }.max()! + 1,
            features: FittedScenario.scenarioNames(vocabulary.features, noun: "feature"),
            milestones: milestones(
                FittedScenario.scenarioNames(vocabulary.milestones, noun: "milestone"), requirements: requirements,
                rates: posterior.milestones, bands: bands),
            selection: selection, habit: habit, split: split, releaseProbe: releaseProbe, pruning: pruning,
            releases: releases, fit: final,
            standardErrors: try standardErrors(
                model, data: data, accounts: users.map { Int(directory.account[$0]) }, threads: threads),
            plans: FittedScenario.scenarioNames(plans, noun: "plan"),
            planCents: vocabulary.planPriceCents ?? Array(repeating: 0, count: plans.count),
            billing: billing, afterTrial: afterTrial,
            conversion: posterior.conversion.fitted(), conversionWeights: posterior.conversion.expectedObservations,
            planChanges: posterior.planChanges, nps: observations.npsScores.isEmpty ? nil : posterior.nps,
            personas: personas(
                model, bands: bands, directory: directory, users: users,
                personaProbabilities: posterior.personaProbabilities),
            bands: bands,
            weekday: WeekdayFactors(
                sessions: observations.accountWeekdaySessions, observedDays: observations.accountWeekdayDays()),
            diagnostics: FittedScenario.Diagnostics(
                files: options.log.events.map { URL(fileURLWithPath: $0).lastPathComponent },
                taxonomy: URL(fileURLWithPath: options.log.taxonomy).lastPathComponent,
                usersLeftOut: directory.userCount - users.count, observedDays: data.totalObservedDays,
                activeDays: data.totalActiveDays, daysWithoutSession: observations.daysWithoutSession,
                milestonesOnSilentDays: posterior.milestonesOnSilentDays,
                trialEnds: users.filter { observations.trialEnd[$0] >= 0 }.count,
                npsAnswers: observations.npsScores.count, npsOnSilentDays: observations.npsOnSilentDays))
    }

    /// The standard errors of the model's parameters by name, clustered by account (the users of an account sign up
    /// together and share its size, and in a product its habits), or why the fitting library gives none.
    private static func standardErrors(
        _ model: HiddenMarkovModel, data: UserDaySequences, accounts: [Int], threads: Int
    ) throws -> Result<[String: Double], FittingError> {
        do {
            let errors = try ParameterStandardErrors.outerProductOfScores(
                model: model, data: data, clusters: accounts, threads: threads)
            return .success(Dictionary(uniqueKeysWithValues: zip(errors.estimates.map(\.name), errors.standardErrors)))
        } catch let error as FittingError {
            return .failure(error)
        }
    }

    /// Refuses what can be refused before the log is read: sizes out of range and an output that exists, is not
    /// YAML or has no folder.
    private static func checkFitOptions(_ options: ScenarioFitOptions) throws {
        var problems: [String] = []
        for (option, range, limit) in [
            ("--states", options.liveStates, ScenarioFitOptions.liveStateLimit),
            ("--personas", options.personas, ScenarioFitOptions.personaLimit),
        ] where !limit.contains(range.lowerBound) || !limit.contains(range.upperBound) {
            problems.append("\(option): must be within \(limit.lowerBound)-\(limit.upperBound)")
        }
        let out = options.out
        let lower = out.lowercased()
        if !(lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")) {
            problems.append("--out: \(out): the name must end in .yaml or .yml")
        }
        if FileManager.default.fileExists(atPath: out) {
            problems.append("--out: \(out) exists; SegmentLab never replaces a file. Remove it or choose another name.")
        }
        let parent = (out as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
            problems.append("--out: \(out): the folder \(folder) does not exist")
        }
        guard problems.isEmpty else { throw RunError.badInput(problems.joined(separator: "\n")) }
    }

    /// The out file's base name as a scenario name: `[A-Za-z0-9_.-]`, other characters `_`, at most 100.
    private static func scenarioName(_ out: String) -> String {
        let base = URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-".unicodeScalars)
        let name = String(
            String.UnicodeScalarView(base.unicodeScalars.map { allowed.contains($0) ? $0 : "_" }).prefix(100))
        return name.isEmpty || name == "." || name == ".." ? "fitted" : name
    }

    private static func milestones(
        _ names: [String], requirements: [[Int]], rates: StateOutcomeRates, bands: Int
    ) -> [FittedScenario.Milestone] {
        let pooled = rates.pooledOverPersonas
        return names.enumerated().map { m, name in
            FittedScenario.Milestone(
                name: name, requires: requirements[m],
                hazards: (0..<rates.liveStates).map { pooled.rate(kind: m, state: $0) },
                daysAtRisk: (0..<rates.liveStates).map { pooled.weight(kind: m, state: $0) },
                personaHazards: (0..<(rates.personas * bands)).map { g in
                    (0..<rates.liveStates).map { rates.rate(kind: m, state: $0, persona: g / bands, group: g % bands) }
                },
                personaDaysAtRisk: (0..<(rates.personas * bands)).map { g in
                    (0..<rates.liveStates).map {
                        rates.weight(kind: m, state: $0, persona: g / bands, group: g % bands)
                    }
                })
        }
    }

    /// Each persona's plan and trial: the first billing event most common among its users (weighted by the posterior
    /// persona), the trial lasting the median days from trial start to conversion or expiry. Without billing events,
    /// the first plan and no trial; a persona none of whose users has one takes the most common over all.
    private static func billing(
        _ votes: [Double], observations: FitObservations, users: [Int], personas: Int
    ) -> [FittedScenario.Billing] {
        let categories = votes.count / personas
        func best(_ weights: [Double]) -> Int? {
            guard let top = weights.max(), top > 0 else { return nil }
            return weights.firstIndex(of: top)
        }
        let overall = best((0..<categories).map { c in (0..<personas).reduce(0.0) { $0 + votes[$1 * categories + c] } })
        let lengths = users.compactMap { u -> Double? in
            observations.trialEnd[u] >= 0 ? Double(observations.trialEnd[u] - observations.trialStart[u]) : nil
        }
        let trialDays = lengths.isEmpty ? 0 : min(3650, Int(Descriptive.median(lengths).rounded()))
        return (0..<personas).map { k in
            let category = best(Array(votes[(k * categories)..<((k + 1) * categories)])) ?? overall ?? 0
            return FittedScenario.Billing(plan: category / 2, trialDays: category % 2 == 1 ? trialDays : 0)
        }
    }

    /// The most common of the values in `0..<count` (the smallest of equals); nil when none is.
    private static func mostCommon(_ values: [Int], count: Int) -> Int? {
        var counts = [Int](repeating: 0, count: count)
        for v in values where (0..<count).contains(v) { counts[v] += 1 }
        guard let top = counts.max(), top > 0 else { return nil }
        return counts.firstIndex(of: top)
    }

    /// The scenario's personas. With one band (no account of several users, or no account of one) each fitted
    /// persona whole, its team sizes (when accounts of several users exist) a lognormal over the accounts, each
    /// counted with the mean of its users' persona probabilities. With two, each fitted persona's users alone in an
    /// account (`persona_k_alone`, team size 1, share × P(alone | persona)) and in a team (`persona_k_team`, the
    /// lognormal over the accounts of several users); a part of less than one expected user is left out.
    private static func personas(
        _ model: HiddenMarkovModel, bands: Int, directory: PopulationDirectory, users: [Int],
        personaProbabilities: [Double]
    ) -> [FittedScenario.Persona] {
        let count = model.personas.count
        var sizes = [Int](repeating: 0, count: directory.accountCount)
        var weights = [Double](repeating: 0, count: directory.accountCount * count)
        for (i, u) in users.enumerated() {
            let a = Int(directory.account[u])
            sizes[a] += 1
            for k in 0..<count { weights[a * count + k] += personaProbabilities[i * count + k] }
        }
        func teamSize(_ k: Int, smallest: Int) -> FittedScenario.TeamSize? {
            let held = sizes.indices.filter { sizes[$0] >= smallest }
            guard held.contains(where: { sizes[$0] > 1 }) else { return nil }
            let chosen = held.map { sizes[$0] }
            let sizes =
                LognormalSizes(sizes: chosen, weights: held.map { weights[$0 * count + k] / Double(sizes[$0]) })
                ?? LognormalSizes(sizes: chosen)
            return sizes.map { .lognormal($0) }
        }
        return model.personas.enumerated().flatMap { k, persona -> [FittedScenario.Persona] in
            guard bands == 2 else {
                return [
                    FittedScenario.Persona(
                        name: "persona_\(k + 1)", fitted: k, share: persona.share, band: 0,
                        teamSize: teamSize(k, smallest: 1), shareNote: nil)
                ]
            }
            // A part of less than one expected user is left out, its share given to the other.
            var alone = persona.accountSizes[0]
            if persona.share * alone * Double(users.count) < 1 { alone = 0 }
            if persona.share * (1 - alone) * Double(users.count) < 1 { alone = 1 }
            return [
                FittedScenario.Persona(
                    name: "persona_\(k + 1)_alone", fitted: k, share: persona.share * alone, band: 0, teamSize: .alone,
                    shareNote: "persona \(k + 1)'s share × its users alone in an account"),
                FittedScenario.Persona(
                    name: "persona_\(k + 1)_team", fitted: k, share: persona.share * (1 - alone), band: 1,
                    teamSize: teamSize(k, smallest: 2),
                    shareNote: "persona \(k + 1)'s share × its users in accounts of several"),
            ].filter { $0.share > 0 }
        }
    }

    /// Writes `text` to `path`, which must not exist, through a staged copy renamed into place.
    private static func writeNewFile(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let staged = StagedOutput(
            name: url.lastPathComponent, in: url.deletingLastPathComponent().path, kind: .file)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: staged.staging))
            // The check before the fit may be minutes old: refuse a file that appeared since.
            guard !FileManager.default.fileExists(atPath: path) else {
                staged.discard()
                throw RunError.badInput(
                    "--out: \(path) exists; SegmentLab never replaces a file. Remove it or choose another name.")
            }
            try staged.commit()
        } catch let error as RunError {
            throw error
        } catch {
            staged.discard()
            throw RunError.failed("--out: cannot write \(path): \(error)")
        }
    }
}
