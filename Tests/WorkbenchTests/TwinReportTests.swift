import Analysis
import EventImport
import Foundation
import Reports
import Segmentation
import Stats
import Testing
import UsageModel

@testable import Workbench

/// A product with saas-default's features, milestones and plans (so `scenarios/example-taxonomy.yaml` reads its
/// logs), one persona and three live states: a model `fit` can represent with 3 live states and 1 persona.
private let twinTestScenario = """
    name: twin-test
    seed: 42
    start_date: 2026-01-05
    days: 120
    population: {users: 1500, signup_days: 60}
    features: [dashboards, reports, automations, integrations, exports]
    milestones:
      - name: setup_complete
      - name: first_item_created
        requires: [setup_complete]
      - name: teammate_invited
        requires: [first_item_created]
    states:
      - name: onboarding
        level: 1
        sessions: {distribution: negative_binomial, mean: 1.2, dispersion: 1.5}
        key_actions_per_session: 1.5
        features: {dashboards: 0.4, reports: 0.1, integrations: 0.05}
        milestones: {setup_complete: 0.3, first_item_created: 0.3, teammate_invited: 0.1}
      - name: engaged
        level: 3
        sessions: {distribution: negative_binomial, mean: 2.0, dispersion: 2.0}
        key_actions_per_session: 4
        features: {dashboards: 0.8, reports: 0.4, automations: 0.25, integrations: 0.2, exports: 0.1}
        milestones: {setup_complete: 0.4, first_item_created: 0.45, teammate_invited: 0.2}
      - name: fading
        level: 0
        sessions: {distribution: poisson, mean: 0.15}
        key_actions_per_session: 1
        features: {dashboards: 0.3, exports: 0.15}
        milestones: {setup_complete: 0.05, first_item_created: 0.05, teammate_invited: 0.02}
      - name: churned
        absorbing: true
    personas:
      - name: everyone
        share: 1.0
        plan: team
        trial_days: 14
        initial_states: {onboarding: 1.0}
        states:
          onboarding:
            next: {onboarding: 0.86, engaged: 0.08, fading: 0.04, churned: 0.02}
          engaged:
            next: {engaged: 0.97, fading: 0.025, churned: 0.005}
          fading:
            next: {fading: 0.9, engaged: 0.04, churned: 0.06}
    commerce:
      plans:
        - {name: free, monthly_price: 0}
        - {name: team, monthly_price: 15}
        - {name: business, monthly_price: 39}
      after_trial: free
      conversion: {onboarding: 0.05, engaged: 0.6, fading: 0.02}

    """

/// `segmentlab twin` at a small size: a log simulated from a known scenario against that scenario, against a
/// scenario that churns far more, and against the scenario `fit` writes for the log.
@Suite("segmentlab twin", .serialized)
struct TwinReportTests {
    static let taxonomy = Repository.path("scenarios/example-taxonomy.yaml")

    /// A folder holding the test scenario, a faithful log of it simulated with seed 7 (the twin runs with the file's
    /// seed 42, so the two populations are independent draws of one model), and the scenario with churn raised.
    struct Fixture: Sendable {
        let folder: URL
        let log: String
        let scenario: String
        let churnier: String
    }

    /// A new fixture; the caller removes its folder.
    static func fixture() throws -> Fixture {
        let folder = try Repository.temporaryFolder()
        let scenario = folder.appendingPathComponent("twin-test.yaml").path
        try twinTestScenario.write(toFile: scenario, atomically: true, encoding: .utf8)
        let log = folder.appendingPathComponent("real.csv").path
        _ = try Workbench.simulate(
            try ScenarioLoader.load(contentsOf: scenario), options: RunOptions(seed: 7, threads: 2),
            outputs: SimulateOutputs(events: log, faithful: true))
        // Daily churn from every live state five times as high, taken from the state's stay.
        var raised = twinTestScenario
        for (old, new) in [
            (
                "{onboarding: 0.86, engaged: 0.08, fading: 0.04, churned: 0.02}",
                "{onboarding: 0.78, engaged: 0.08, fading: 0.04, churned: 0.10}"
            ),
            ("{engaged: 0.97, fading: 0.025, churned: 0.005}", "{engaged: 0.95, fading: 0.025, churned: 0.025}"),
            ("{fading: 0.9, engaged: 0.04, churned: 0.06}", "{fading: 0.66, engaged: 0.04, churned: 0.30}"),
        ] {
            precondition(raised.contains(old), "the test scenario has no '\(old)'")
            raised = raised.replacing(old, with: new)
        }
        let churnier = folder.appendingPathComponent("churnier.yaml").path
        try raised.write(toFile: churnier, atomically: true, encoding: .utf8)
        return Fixture(folder: folder, log: log, scenario: scenario, churnier: churnier)
    }

    static func twin(_ fixture: Fixture, scenario: String, out: String, threads: Int = 2) throws -> TwinResults {
        _ = try Workbench.twin(
            TwinOptions(
                log: SegmentOptions(
                    events: [fixture.log], taxonomy: taxonomy, threads: threads,
                    outDirectory: fixture.folder.appendingPathComponent(out).path),
                scenario: scenario))
        let data = try Data(contentsOf: fixture.folder.appendingPathComponent(out).appendingPathComponent("twin.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(TwinResults.self, from: data)
    }

    /// The fewest of `n` points that agree at the 0.1 % lower tail, were each to agree independently with
    /// probability 0.95 (a faithful twin): the largest k with P[Binomial(n, 0.95) < k] ≤ 0.001.
    static func fewestAgreeing(of n: Int) throws -> Int {
        let binomial = try Binomial(p: 0.95, trials: n)
        var k = 0
        while k < n, binomial.cdf(k) <= 0.001 { k += 1 }
        return k
    }

    /// The log and its own scenario are two draws of one model: every figure's points agree about as often as 95 %
    /// intervals cover (all figures pooled: at least the 0.1 % binomial quantile; the points of a figure share their
    /// users, which widens the spread, so the pooled count is checked, not each figure's), and no whole-figure test
    /// rejects at 0.001.
    @Test("a log set beside the scenario it was simulated from agrees within its intervals")
    func sameModelAgrees() throws {
        let fixture = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let results = try Self.twin(fixture, scenario: fixture.scenario, out: "same")
        #expect(results.realUsers == 1_500 && results.twinUsers == 1_500)
        #expect(
            results.figures.map(\.id) == [
                "segment-sizes", "transitions", "retention", "active-users", "feature-adoption", "milestone-funnel",
                "time-to-value",
            ])
        let compared = results.figures.reduce(0) { $0 + $1.compared }
        let agreeing = results.figures.reduce(0) { $0 + $1.agreeing }
        #expect(agreeing >= (try Self.fewestAgreeing(of: compared)), "\(agreeing) of \(compared)")
        for figure in results.figures {
            #expect(figure.compared > 0, "\(figure.id)")
            if let test = figure.test { #expect(test.pValue > 0.001, "\(figure.id): \(test)") }
        }
        #expect(results.figures.compactMap(\.test).count == 5)
    }

    /// A twin whose users churn five times as fast: the retention curve's log-rank test rejects outright and its
    /// points agree far less often than a faithful twin's could (below the 0.1 % binomial quantile).
    @Test("a twin that churns far more is flagged")
    func wrongTwinIsFlagged() throws {
        let fixture = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let results = try Self.twin(fixture, scenario: fixture.churnier, out: "churnier")
        let retention = try #require(results.figures.first { $0.id == "retention" })
        #expect(try #require(retention.test).pValue < 1e-12)
        #expect(retention.compared >= 5)
        #expect(retention.agreeing < (try Self.fewestAgreeing(of: retention.compared)), "\(retention.agreeing)")
        let active = try #require(results.figures.first { $0.id == "active-users" })
        #expect(active.agreeing < (try Self.fewestAgreeing(of: active.compared)), "\(active.agreeing)")
    }

    @Test("twin.json and the report are the same bytes at 1 and 2 threads, and when rendered again from twin.json")
    func deterministic() throws {
        let fixture = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        var files: [[Data]] = []
        for threads in [1, 2] {
            let out = "threads-\(threads)"
            _ = try Self.twin(fixture, scenario: fixture.scenario, out: out, threads: threads)
            let folder = fixture.folder.appendingPathComponent(out)
            files.append(
                try ["twin.json", "report.html", "report.md"].map {
                    try Data(contentsOf: folder.appendingPathComponent($0))
                })
        }
        #expect(files[0] == files[1])
        // `segmentlab report` renders the same report again from twin.json alone.
        let again = try Workbench.report(
            results: fixture.folder.appendingPathComponent("threads-1/twin.json").path,
            outDirectory: fixture.folder.appendingPathComponent("again").path)
        #expect(
            try ["twin.json", "report.html", "report.md"].map {
                try Data(contentsOf: URL(fileURLWithPath: again).appendingPathComponent($0))
            } == files[0])
    }

    /// The scenario `fit` writes for the log (3 live states and 1 persona, the size of the model that made it) is a
    /// faithful twin by the same pooled criterion, and its retention passes the log-rank test.
    @Test("the scenario fit writes for a log is a faithful twin of it")
    func fittedTwinAgrees() throws {
        let fixture = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let fitted = fixture.folder.appendingPathComponent("fitted.yaml").path
        _ = try Workbench.fit(
            ScenarioFitOptions(
                log: SegmentOptions(events: [fixture.log], taxonomy: Self.taxonomy, threads: 2), out: fitted,
                liveStates: 3...3, personas: 1...1))
        let results = try Self.twin(fixture, scenario: fitted, out: "fitted")
        let compared = results.figures.reduce(0) { $0 + $1.compared }
        let agreeing = results.figures.reduce(0) { $0 + $1.agreeing }
        #expect(agreeing >= (try Self.fewestAgreeing(of: compared)), "\(agreeing) of \(compared)")
        let retention = try #require(results.figures.first { $0.id == "retention" })
        #expect(try #require(retention.test).pValue > 0.001)
    }

    @Test("an existing folder that SegmentLab did not write is refused before the log is read")
    func refusesForeignFolder() throws {
        let fixture = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let out = fixture.folder.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "keep\n".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: RunError.self) {
            try Workbench.twin(
                TwinOptions(
                    log: SegmentOptions(
                        events: [fixture.folder.appendingPathComponent("missing.csv").path], taxonomy: Self.taxonomy,
                        outDirectory: out.path),
                    scenario: fixture.scenario))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["notes.txt"])
    }

    /// Churn and time to value on a hand-written log. u1 signs up on Monday 5 January with a key action and
    /// setup_complete, has key actions on day 10 and reaches the other two milestones on day 12; u2 signs up on
    /// day 2 and never has a key action; u3's events on day 60 end the log. u1's 28 days without a key action run
    /// from day 11 to 38: churn on day 38, 38 days after sign-up; u2's from day 2 to 29: churn 27 days after
    /// sign-up; u3 signs up on the last day and is censored at 0. Activation (all three milestones): u1 on day 12.
    @Test("churn is the day that completes 28 days without a key action; activation the day of the last milestone")
    func definitionsOnAHandWrittenLog() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("tiny.csv").path
        try """
        user_id,account_id,event,timestamp,properties
        u1,a1,signed_up,2026-01-05T09:00:00Z,{}
        u1,a1,session_started,2026-01-05T09:00:00Z,{}
        u1,a1,key_action,2026-01-05T09:01:00Z,{}
        u1,a1,setup_complete,2026-01-05T09:02:00Z,{}
        u2,a2,signed_up,2026-01-07T09:00:00Z,{}
        u2,a2,session_started,2026-01-07T09:00:00Z,{}
        u1,a1,session_started,2026-01-15T09:00:00Z,{}
        u1,a1,key_action,2026-01-15T09:01:00Z,{}
        u1,a1,first_item_created,2026-01-17T09:00:00Z,{}
        u1,a1,teammate_invited,2026-01-17T09:05:00Z,{}
        u3,a3,signed_up,2026-03-06T09:00:00Z,{}
        u3,a3,session_started,2026-03-06T09:00:00Z,{}

        """.write(toFile: log, atomically: true, encoding: .utf8)
        let (compiled, imported) = try Workbench.importLog(
            SegmentOptions(events: [log], taxonomy: Self.taxonomy), progress: ProgressLine(enabled: false))
        let engine = SegmentationEngine(compiled)
        let days = TwinObservations(activationMilestones: compiled.activationMilestones, every: 7)
        try imported.replay(observers: [engine, days])
        let sample = days.sample(engine: engine)
        let order = imported.population.userIDs
        func user(_ id: String) -> Int { order.firstIndex(of: id)! }
        #expect(imported.directory.days == 61)
        #expect(sample.churn[user("u1")] == SurvivalObservation(time: 38, event: true))
        #expect(sample.churn[user("u2")] == SurvivalObservation(time: 27, event: true))
        #expect(sample.churn[user("u3")] == SurvivalObservation(time: 0, event: false))
        #expect(sample.timeToValue[user("u1")] == SurvivalObservation(time: 12, event: true))
        #expect(sample.timeToValue[user("u2")] == SurvivalObservation(time: 58, event: false))
        #expect(sample.milestoneUsers.map(\.successes) == [[1], [1], [1]])
        #expect(sample.milestoneUsers.map(\.trials) == [[3], [3], [3]])
        #expect(sample.funnelStages.counts == [2, 0, 0, 1] && sample.funnelStages.clusters == 3)
        #expect(Set(sample.accounts).count == 3)
        // Day 13 (a weekly point): u1 and u2 signed up; u1 active on day 10, so in the week and the month.
        let day13 = try #require(sample.activity.first { $0.day == 13 })
        #expect(day13.daily.trials == [2] && day13.daily.successes == [0] && day13.daily.clusters == 2)
        #expect(day13.weekly.successes == [1] && day13.monthly.successes == [2])
    }

    /// Ten subjects with events at days 1 … 10: Ŝ(t) = 1 − t/10 and Greenwood's sum Σ 1/(m(m − 1)) over
    /// m = 10 … 11 − t telescopes to σ²(t) = t / (10 (10 − t)). The log-log bounds Ŝ^exp(±1.96 σ / |log Ŝ|) are, by
    /// hand: lower 0.473 at t = 1 (already ≤ 0.5); upper 0.578 at t = 7 and 0.475 at t = 8. So the median is 5
    /// (Ŝ(5) = 0.5) with interval 1 to 8.
    @Test("Kaplan–Meier median and its Brookmeyer–Crowley interval, worked by hand")
    func kaplanMeierMedian() throws {
        let curve = try KaplanMeier((1...10).map { SurvivalObservation(time: Double($0), event: true) })
        let median = curve.median
        #expect(median.estimate == 5 && median.lower == 1 && median.upper == 8)
        #expect(curve.step(at: 0.5) == nil)
        let step = try #require(curve.step(at: 7.5))
        #expect(step.time == 7 && abs(step.survival - 0.3) < 1e-12)
        #expect(abs(step.standardError! - 0.3 * (7.0 / 30).squareRoot()) < 1e-12)
        // Ŝ = 2/3 after the one event: the curve never reaches one half.
        let late = try KaplanMeier([
            SurvivalObservation(time: 3, event: true), .init(time: 9, event: false), .init(time: 9, event: false),
        ])
        #expect(late.median.estimate == nil)
    }

    /// A point of two proportions over clusters: each side the Wilson interval at the effective sample size, the
    /// difference by square-and-add. Reference values: statsmodels 0.15.0 (Python 3.11), each cluster's users
    /// expanded to 0/1 rows, deff = max(1, `sm.OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups':
    /// cluster}).bse[0] ** 2` / (p(1 − p)/n)), `proportion_confint(p * n / deff, n / deff, method='wilson')`, and
    /// d ∓ √((p₁ − l₁)² + (u₂ − p₂)²) … by hand. With one user per cluster it is Newcombe's method 10 at the CR1
    /// effective sizes (69 and 79 for 56/70 − 48/80: Newcombe's own 0.0524 to 0.3339 at 70 and 80, Statistics in
    /// Medicine 17, p. 873). A point agrees when its interval covers 0 and is not counted when both sides are at 0 %.
    @Test(
        "a point of two proportions over clusters carries the square-and-add interval and agrees only when it covers 0")
    func proportionPoint() throws {
        func moments(_ clusters: [(Int, Int)]) -> ClusteredRatioMoments {
            var m = ClusteredRatioMoments()
            for (y, n) in clusters { m.addCluster(successes: y, trials: n) }
            return m
        }
        func singles(_ y: Int, _ n: Int) -> ClusteredRatioMoments {
            moments(Array(repeating: (1, 1), count: y) + Array(repeating: (0, 1), count: n - y))
        }
        let point = try #require(
            TwinPoint.proportions(series: "x", at: "", real: singles(56, 70), twin: singles(48, 80)))
        #expect(abs(point.difference - 0.2) < 1e-12)
        #expect(abs(point.differenceLower! - 0.051404027341506425) < 1e-12)
        #expect(abs(point.differenceUpper! - 0.3346870124374779) < 1e-12)
        #expect(
            abs(point.real.lower! - 0.6909679274378024) < 1e-12 && abs(point.twin.upper! - 0.700959250408843) < 1e-12)
        #expect(point.agrees == false)
        let clustered = try #require(
            TwinPoint.proportions(
                series: "y", at: "", real: moments([(3, 5), (0, 4), (2, 2), (1, 3), (4, 7), (0, 1), (5, 6), (2, 9)]),
                twin: moments([(1, 2), (0, 3), (6, 8), (2, 2), (1, 5), (3, 4)])))
        #expect(abs(clustered.difference + 0.08220720720720714) < 1e-12)
        #expect(abs(clustered.differenceLower! + 0.38910924049080575) < 1e-12)
        #expect(abs(clustered.differenceUpper! - 0.24886000650272344) < 1e-12)
        #expect(clustered.agrees == true)
        let zeros = try #require(TwinPoint.proportions(series: "x", at: "", real: singles(0, 70), twin: singles(0, 80)))
        #expect(zeros.agrees == nil)
        let figure = TwinFigure(id: "f", title: "f", definition: "", points: [point, zeros], test: nil)
        #expect(figure.compared == 1 && figure.agreeing == 0 && abs(figure.largestDifference! - 0.2) < 1e-12)
    }
}
