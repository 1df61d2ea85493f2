import EventImport
import Foundation
import Simulation
import Stats
import Testing
import UsageModel

@testable import Workbench

/// Sessions by weekday and users active 30 days after sign-up, counted on the days of a replayed log or a
/// simulation, independently of `fit`.
struct DayCounts: Sendable {
    /// Accounts are cut into this many groups (by account index) for the spread of the weekday factors.
    static let groups = 20
    /// Per group and weekday (Monday first), sessions and user-days from sign-up on, at `group · 7 + weekday`.
    var sessions = [Double](repeating: 0, count: groups * 7)
    var days = [Double](repeating: 0, count: groups * 7)
    /// Users observed 30 days after their sign-up day, and those of them with a session that day.
    var observedAt30 = 0
    var activeAt30 = 0

    var shareActiveAt30: Double { Double(activeAt30) / Double(observedAt30) }
    /// User-days from sign-up, and the plan changes (upgrades and downgrades) on them.
    var userDays = 0
    var planChanges = 0
    /// Days with a session, the NPS answers given on them, and the scores' sum and sum of squares.
    var activeDays = 0
    var npsAnswers = 0
    var npsScoreSum = 0.0
    var npsScoreSquares = 0.0
    /// Users alone in their account and users in accounts of several, and those of each who reached the last
    /// milestone (saas-default's teammate_invited) by the end.
    var alone = 0
    var aloneInviting = 0
    var inTeams = 0
    var teamsInviting = 0

    /// The weekday factors of one group: its sessions per observed user-day on each weekday over their mean.
    func factors(group g: Int) -> [Double] {
        let rates = (0..<7).map { sessions[g * 7 + $0] / days[g * 7 + $0] }
        let mean = rates.reduce(0, +) / 7
        return rates.map { $0 / mean }
    }
}

/// Fills ``DayCounts`` from the days it observes.
final class DayTally: DayObserver {
    private(set) var counts = DayCounts()
    private var directory: PopulationDirectory?

    private var accountSize: [Int] = []
    private var reached: [UInt16] = []

    func daysWillStart(_ population: PopulationDirectory) {
        directory = population
        accountSize = Array(repeating: 0, count: population.accountCount)
        for u in 0..<population.userCount { accountSize[Int(population.account[u])] += 1 }
        reached = Array(repeating: 0, count: population.userCount)
    }

    func daysDidEnd() {
        guard let directory, let last = directory.milestoneNames.indices.last else { return }
        for u in 0..<directory.userCount where directory.signupDay[u] < directory.days {
            let invited = reached[u] & (1 << UInt16(last)) != 0 ? 1 : 0
            if accountSize[Int(directory.account[u])] == 1 {
                counts.alone += 1
                counts.aloneInviting += invited
            } else {
                counts.inTeams += 1
                counts.teamsInviting += invited
            }
        }
    }

    func dayDidEnd(_ usage: UsageDay) {
        guard let directory else { return }
        let weekday = directory.startDate.adding(days: usage.day).weekday
        for u in 0..<directory.userCount {
            let signup = Int(directory.signupDay[u])
            guard signup >= 0, signup <= usage.day else { continue }
            let cell = Int(directory.account[u]) % DayCounts.groups * 7 + weekday
            counts.days[cell] += 1
            counts.sessions[cell] += Double(usage.sessions[u])
            counts.userDays += 1
            reached[u] |= usage.milestones[u]
            let commerce = usage.commerce[u]
            if commerce == CommerceEvent.upgraded.rawValue || commerce == CommerceEvent.downgraded.rawValue {
                counts.planChanges += 1
            }
            if usage.sessions[u] > 0 {
                counts.activeDays += 1
                let score = Double(usage.npsScore[u])
                if score >= 0 {
                    counts.npsAnswers += 1
                    counts.npsScoreSum += score
                    counts.npsScoreSquares += score * score
                }
            }
            if usage.day == signup + 30 {
                counts.observedAt30 += 1
                if usage.sessions[u] > 0 { counts.activeAt30 += 1 }
            }
        }
    }
}

/// `segmentlab fit` on faithful logs of scenarios/saas-default.yaml, simulated at a reduced size.
@Suite("segmentlab fit", .serialized)
struct FitCommandTests {
    static let taxonomy = Repository.path("scenarios/example-taxonomy.yaml")
    /// saas-default's weekday factors, Monday first.
    static let weekday = [1.22, 1.24, 1.22, 1.16, 1.04, 0.60, 0.52]

    /// A faithful log of saas-default in a new folder: `users` users over `days` days, sign-ups over the first
    /// min(120, days).
    static func simulateLog(users: Int, days: Int) throws -> (folder: URL, log: String) {
        let folder = try Repository.temporaryFolder()
        let log = folder.appendingPathComponent("saas.csv").path
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        _ = try Workbench.simulate(
            scenario, options: RunOptions(users: users, days: days, threads: 2),
            outputs: SimulateOutputs(events: log, faithful: true))
        return (folder, log)
    }

    static func options(log: String, out: String, states: ClosedRange<Int>, personas: ClosedRange<Int>, threads: Int)
        -> ScenarioFitOptions
    {
        ScenarioFitOptions(
            log: SegmentOptions(events: [log], taxonomy: taxonomy, threads: threads), out: out, liveStates: states,
            personas: personas)
    }

    /// What the tests below read: the scenario fitted at 2 threads to a log of 1 000 users over 150 days, and the
    /// log's own tallies. The log is removed once both are made.
    struct Fitted: Sendable {
        let text: String
        let scenario: Scenario
        let outcome: ScenarioFitOutcome
        let log: DayCounts
    }

    static let fitted: Result<Fitted, any Error> = Result {
        let (folder, log) = try simulateLog(users: 1_000, days: 150)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("twin.yaml").path
        let outcome = try Workbench.fit(options(log: log, out: out, states: 3...4, personas: 2...2, threads: 2))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let tally = DayTally()
        try EventLogImporter(files: [log], taxonomy: try Taxonomy.load(path: taxonomy)).load().replay(observers: [tally]
        )
        return Fitted(
            text: text, scenario: try ScenarioLoader.parse(yaml: text, file: out), outcome: outcome,
            log: tally.counts)
    }

    /// The fitted scenario simulated with 5 000 users, counted as the log was.
    static func simulatedAgain(_ fitted: Fitted) throws -> DayCounts {
        var spec = fitted.scenario.spec
        spec.users = 5_000
        let tally = DayTally()
        _ = try Simulator(spec: spec, threads: 2, truthDays: .only([])).run(observers: [tally])
        return tally.counts
    }

    @Test("the file loads as a scenario, with a header holding the BIC of every size tried and the chosen one")
    func loadsWithDiagnostics() throws {
        let fitted = try Self.fitted.get()
        let model = fitted.scenario.spec.model
        #expect(fitted.outcome.users == 1_000 && fitted.scenario.spec.users == 1_000)
        #expect(fitted.scenario.name == "twin" && fitted.scenario.spec.days == 150)
        #expect(fitted.scenario.spec.startDate == CivilDate(year: 2026, month: 1, day: 5))
        // The log has users alone in an account and users in teams: every persona is written as one or the other,
        // the users alone with a team size of 1.
        #expect(model.states.last?.name == "churned")
        #expect(
            model.personas.contains { $0.name.hasSuffix("_alone") }
                && model.personas.contains { $0.name.hasSuffix("_team") })
        for persona in model.personas {
            #expect(persona.name.hasSuffix("_alone") == (persona.teamSize == .fixed(1)), "\(persona.name)")
            #expect(persona.name.hasSuffix("_alone") || persona.name.hasSuffix("_team"), "\(persona.name)")
        }
        #expect(fitted.outcome.size == "\(model.states.count - 1) live states and 2 personas")
        #expect(model.features == ["dashboards", "reports", "automations", "integrations", "exports"])
        let rows = Self.tableRows(fitted.text, after: "#   states  personas")
        #expect(rows.count == 2, "one BIC row per size tried: 3 and 4 states, 2 personas")
        #expect(rows.filter { $0.hasSuffix("<- chosen") }.count == 1)
        // Habit feedback: one held-out row without it and one per half-life tried, one of them chosen.
        let habitRows = Self.tableRows(fitted.text, after: "#   half-life  strength")
        #expect(habitRows.count == 1 + ScenarioFitOptions.defaultHabitHalfLives.count)
        #expect(habitRows.filter { $0.hasSuffix("<- chosen") }.count == 1)
        #expect(fitted.text.contains("  # SE "))
        // Shares, initial states and transition rows are written to sum to exactly 1 in decimal.
        #expect(abs(model.personas.map(\.share).reduce(0, +) - 1) < 1e-12)
        for persona in model.personas {
            #expect(abs(persona.initialStates.reduce(0, +) - 1) < 1e-12)
            for state in persona.states { #expect(abs(state.next.reduce(0, +) - 1) < 1e-12) }
        }
    }

    /// The known values of saas-default's commerce and milestones, which every user follows exactly: every persona
    /// trials for 14 days; 85 % of users (solo and small_team) trial the team plan; trials that do not convert fall
    /// back to free; conversion rises with engagement (onboarding 0.06 … power 0.80), and the milestones form the
    /// chain setup_complete → first_item_created → teammate_invited.
    @Test("trial length, plan, fallback plan, conversion by state and milestone requirements match saas-default")
    func commerceAndMilestones() throws {
        let model = try Self.fitted.get().scenario.spec.model
        let plans = model.commerce.plans.map(\.name)
        #expect(plans == ["free", "team", "business"])
        for persona in model.personas {
            #expect(persona.trialDays == 14)
            #expect(plans[persona.plan] == "team")
        }
        #expect(model.commerce.fallbackPlan == 0)
        let conversion = model.commerce.conversion.dropLast()
        #expect(zip(conversion, conversion.dropFirst()).allSatisfy { $0 < $1 }, "\(conversion)")
        #expect(model.milestones.map(\.name) == ["setup_complete", "first_item_created", "teammate_invited"])
        #expect(model.milestones[1].requires == [0])
        #expect(model.milestones[2].requires.contains(1))
    }

    /// The weekday factors `fit` writes are saas-default's within 4 standard errors. The standard error comes from
    /// the session counts of the log, not from `fit`: accounts (independent in saas-default, which has no team
    /// influence) are cut into G = 20 groups; each group's factors are its sessions per observed user-day on each
    /// weekday over their mean; the factors of the whole log are close to the mean of the groups', whose standard
    /// error is the groups' standard deviation over √G. With about 10 000 sessions per weekday it is about 0.01.
    @Test("weekday factors recovered within 4 standard errors derived from the log's session counts")
    func weekdayFactors() throws {
        let fitted = try Self.fitted.get()
        let factors = fitted.scenario.spec.model.weekdayFactors
        let groups = (0..<DayCounts.groups).map { fitted.log.factors(group: $0) }
        for w in 0..<7 {
            let spread = Summary(groups.map { $0[w] })
            let standardError = spread.standardDeviation / Double(DayCounts.groups).squareRoot()
            #expect(standardError > 0 && standardError < 0.03)
            #expect(
                abs(factors[w] - Self.weekday[w]) <= 4 * standardError,
                "weekday \(w): fitted \(factors[w]), true \(Self.weekday[w]), SE \(standardError)")
        }
        #expect(abs(factors.reduce(0, +) / 7 - 1) < 1e-3)
    }

    /// The fitted scenario, simulated again with 5 000 users, has as many users with a session 30 days after sign-up
    /// as the log had: the difference of the two shares lies within 4 standard errors of a difference of independent
    /// proportions, √(p(1 − p)(1/n₁ + 1/n₂)) with p the pooled share (about 0.017 here). The model leaves out habit,
    /// campaigns and the product change of saas-default, so this checks that what it does fit carries the log's
    /// retention.
    @Test("the twin simulated again keeps the log's share of users active 30 days after sign-up")
    func twinKeepsRetention() throws {
        let fitted = try Self.fitted.get()
        let log = fitted.log
        let twin = try Self.simulatedAgain(fitted)
        #expect(log.observedAt30 == 1_000 && twin.observedAt30 == 5_000)
        let pooled = Double(log.activeAt30 + twin.activeAt30) / Double(log.observedAt30 + twin.observedAt30)
        let standardError =
            (pooled * (1 - pooled) * (1 / Double(log.observedAt30) + 1 / Double(twin.observedAt30))).squareRoot()
        #expect(
            abs(twin.shareActiveAt30 - log.shareActiveAt30) <= 4 * standardError,
            "log \(log.shareActiveAt30), twin \(twin.shareActiveAt30), SE \(standardError)")
    }

    /// NPS answers and scores by state carry over too: the fitted scenario simulated again answers on as large a
    /// share of its active days as the log's users did, and with the same mean score, each within 4 standard errors
    /// of the difference of two independent estimates (binomial for the answer rate; the scores' pooled variance
    /// for the mean). saas-default's states answer on 0.8 % to 2 % of active days, its fading and lapsed states
    /// mostly as detractors, its engaged and power states as promoters.
    @Test("the twin simulated again answers NPS as often as the log's users did, with the same mean score")
    func twinKeepsNPS() throws {
        let fitted = try Self.fitted.get()
        #expect(fitted.text.contains("    nps:\n      answer_probability: "))
        let log = fitted.log
        let twin = try Self.simulatedAgain(fitted)
        #expect(log.npsAnswers > 200, "answers in the log: \(log.npsAnswers)")
        let rates = [log, twin].map { Double($0.npsAnswers) / Double($0.activeDays) }
        let pooled = Double(log.npsAnswers + twin.npsAnswers) / Double(log.activeDays + twin.activeDays)
        let rateError = (pooled * (1 - pooled) * (1 / Double(log.activeDays) + 1 / Double(twin.activeDays)))
            .squareRoot()
        #expect(abs(rates[1] - rates[0]) <= 4 * rateError, "log \(rates[0]), twin \(rates[1]), SE \(rateError)")
        let means = [log, twin].map { $0.npsScoreSum / Double($0.npsAnswers) }
        let n = Double(log.npsAnswers + twin.npsAnswers)
        let pooledMean = (log.npsScoreSum + twin.npsScoreSum) / n
        let variance = ((log.npsScoreSquares + twin.npsScoreSquares) - n * pooledMean * pooledMean) / (n - 1)
        let meanError = (variance * (1 / Double(log.npsAnswers) + 1 / Double(twin.npsAnswers))).squareRoot()
        #expect(abs(means[1] - means[0]) <= 4 * meanError, "log \(means[0]), twin \(means[1]), SE \(meanError)")
    }

    /// Plan changes after the trial carry over: saas-default moves team users to business from engaged and power
    /// and to free from fading and lapsed, business users back to team; the fitted scenario lists team → business
    /// and team → free, and simulated again changes plans on as large a share of user-days as the log's users did
    /// (within 4 standard errors of a difference of independent proportions).
    @Test("the twin simulated again changes plans as often as the log's users did")
    func twinKeepsPlanChanges() throws {
        let fitted = try Self.fitted.get()
        let changes = fitted.scenario.spec.model.commerce.planChanges
        let plans = fitted.scenario.spec.model.commerce.plans.map(\.name)
        #expect(changes.contains { plans[$0.from] == "team" && plans[$0.to] == "business" })
        #expect(changes.contains { plans[$0.from] == "team" && plans[$0.to] == "free" })
        let log = fitted.log
        let twin = try Self.simulatedAgain(fitted)
        #expect(log.planChanges >= 10, "plan changes in the log: \(log.planChanges)")
        let rates = [log, twin].map { Double($0.planChanges) / Double($0.userDays) }
        let pooled = Double(log.planChanges + twin.planChanges) / Double(log.userDays + twin.userDays)
        let error = (pooled * (1 - pooled) * (1 / Double(log.userDays) + 1 / Double(twin.userDays))).squareRoot()
        #expect(abs(rates[1] - rates[0]) <= 4 * error, "log \(rates[0]), twin \(rates[1]), SE \(error)")
    }

    /// Milestone hazards by persona and by account size: saas-default's solo users (40 %, alone in their accounts)
    /// invite a teammate at 0.02 to 0.05 a day, the others at 0.10 to 0.25 in their active states. The fitted
    /// scenario simulated again has as large a share of users alone in an account who ever invited as the log
    /// (within 4 standard errors of a difference of independent proportions: such users are independent), and in
    /// both, users in teams invite more often than users alone.
    @Test("the twin simulated again invites teammates as rarely from accounts of one user as the log's users did")
    func twinKeepsInvitesByAccountSize() throws {
        let fitted = try Self.fitted.get()
        let log = fitted.log
        let twin = try Self.simulatedAgain(fitted)
        #expect(log.alone > 300 && twin.alone > 1_500, "alone: log \(log.alone), twin \(twin.alone)")
        let rates = [log, twin].map { Double($0.aloneInviting) / Double($0.alone) }
        let pooled = Double(log.aloneInviting + twin.aloneInviting) / Double(log.alone + twin.alone)
        let error = (pooled * (1 - pooled) * (1 / Double(log.alone) + 1 / Double(twin.alone))).squareRoot()
        #expect(abs(rates[1] - rates[0]) <= 4 * error, "log \(rates[0]), twin \(rates[1]), SE \(error)")
        for counts in [log, twin] {
            #expect(
                Double(counts.teamsInviting) / Double(counts.inTeams) > Double(counts.aloneInviting)
                    / Double(counts.alone))
        }
    }

    /// With the structure chosen on 200 of the 400 users, as a large log's is on 10 000: the releases, sizes, habit,
    /// split and pruning on the sample, and one refit to all users.
    @Test("the same scenario, byte for byte, at 1 and 2 threads, its structure chosen on a sample")
    func deterministic() throws {
        let (folder, log) = try Self.simulateLog(users: 400, days: 60)
        defer { try? FileManager.default.removeItem(at: folder) }
        var texts: [String] = []
        for threads in [1, 2] {
            let sub = folder.appendingPathComponent("t\(threads)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let out = sub.appendingPathComponent("twin.yaml").path
            var options = Self.options(log: log, out: out, states: 2...3, personas: 1...2, threads: threads)
            options.selectionUsers = 200
            let outcome = try Workbench.fit(options)
            #expect(outcome.users == 400)
            texts.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(texts[0] == texts[1])
        // The size search starts at 2 live states and 1 persona and steps up from the best: 3 or 4 of the 4 sizes.
        #expect((3...4).contains(Self.tableRows(texts[0], after: "#   states  personas").count))
        #expect(texts[0].contains("Every choice below is made on 200 of the users"))
        #expect(texts[0].contains("# Refitted to all 400 users by EM from the model chosen"))
    }

    /// The rows of a table of the header: the comment lines after the one starting with `heading`, up to the next
    /// empty comment line.
    static func tableRows(_ text: String, after heading: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return [] }
        return Array(lines[(start + 1)...].prefix { $0 != "#" && $0.hasPrefix("#") })
    }

    /// u1 has a session on Monday, only a key action on Wednesday and a session on Sunday; u2 signs up on Tuesday
    /// with sessions then and on Thursday; u3 signs up on the Sunday before the first day read. Observed: u1 7 days,
    /// u2 6; active: 3 + 2, one of them without a session.
    @Test("a day with key actions but no session counts as one session; a user signed up before --since is left out")
    func daysWithoutSession() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("tiny.csv").path
        try """
        user_id,account_id,event,timestamp,properties
        u3,a3,signed_up,2026-01-04T09:00:00Z,{}
        u1,a1,signed_up,2026-01-05T09:00:00Z,{}
        u1,a1,session_started,2026-01-05T09:00:00Z,{}
        u1,a1,key_action,2026-01-05T09:01:00Z,{}
        u2,a2,signed_up,2026-01-06T09:00:00Z,{}
        u2,a2,session_started,2026-01-06T09:00:00Z,{}
        u3,a3,session_started,2026-01-06T10:00:00Z,{}
        u1,a1,key_action,2026-01-07T10:00:00Z,{}
        u1,a1,key_action,2026-01-07T10:05:00Z,{}
        u2,a2,session_started,2026-01-08T09:00:00Z,{}
        u1,a1,session_started,2026-01-11T09:00:00Z,{}

        """.write(toFile: log, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("tiny-twin.yaml").path
        var options = Self.options(log: log, out: out, states: 1...1, personas: 1...1, threads: 1)
        options.log.since = CivilDate(year: 2026, month: 1, day: 5)
        let outcome = try Workbench.fit(options)
        #expect(outcome.users == 2)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("# Users fitted: 2, each from sign-up to the last day; 1 left out"))
        #expect(text.contains("# User-days observed: 13; active (with a session): 5, of which 1 had key actions"))
        let scenario = try ScenarioLoader.parse(yaml: text, file: out)
        #expect(scenario.name == "tiny-twin" && scenario.spec.days == 7 && scenario.spec.signupDays == 2)
        // One live state: its key actions per session are the log's 3 over 5 sessions, the day without a session
        // counted as one (1 over 4 without it).
        #expect(abs(scenario.spec.model.personas[0].states[0].keyActionsPerSession - 3.0 / 5) < 1e-3)
    }

    @Test("an existing --out is refused with status 2 before the log is read, and left as it was")
    func refusesExistingOut() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("twin.yaml").path
        try "mine\n".write(toFile: out, atomically: true, encoding: .utf8)
        let (status, stdout, stderr) = try Repository.runCLI(
            [
                "fit", "--events", folder.appendingPathComponent("missing.csv").path, "--taxonomy", Self.taxonomy,
                "--out", out,
            ], seconds: 60)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("twin.yaml exists; SegmentLab never replaces a file"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["twin.yaml"])
    }

    @Test("--selection-users below 2 is refused with status 2 before the log is read, and nothing is written")
    func refusesTinySelection() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, stdout, stderr) = try Repository.runCLI(
            [
                "fit", "--events", folder.appendingPathComponent("missing.csv").path, "--taxonomy", Self.taxonomy,
                "--selection-users", "1", "--out", folder.appendingPathComponent("twin.yaml").path,
            ], seconds: 60)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("--selection-users must be at least 2"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("probabilities are written to sum to exactly one million millionths, each within a millionth")
    func apportioned() throws {
        var rng = SplitMix64(seed: 11)
        for round in 0..<500 {
            let count = 1 + Int(rng.next() % 12)
            // Some entries tiny or zero, as fitted transition rows have.
            let raw = (0..<count).map { i -> Double in
                let u = Double(rng.next() >> 11) / Double(1 << 53)
                return i % 3 == 2 ? u * 1e-7 : u
            }
            let total = raw.reduce(0, +)
            guard total > 0 else { continue }
            let written = FittedScenario.apportioned(raw, minimumUnits: round % 2)
            let millionths = written.map { text -> Int in
                let parts = text.split(separator: ".")
                let fraction = parts.count > 1 ? String(parts[1]) : ""
                return Int(parts[0])! * 1_000_000 + Int(fraction + String(repeating: "0", count: 6 - fraction.count))!
            }
            #expect(millionths.reduce(0, +) == 1_000_000, "\(written)")
            // Rounding moves each by less than a millionth; a minimum of one takes at most one from the largest
            // for each entry raised.
            let slack = Double(1 + round % 2 * count) * 1e-6
            for (i, units) in millionths.enumerated() {
                #expect(abs(Double(units) / 1e6 - raw[i] / total) < slack)
                #expect(units >= round % 2)
            }
        }
    }
}
