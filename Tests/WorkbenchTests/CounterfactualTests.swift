import Analysis
import Foundation
import Reports
import Segmentation
import Simulation
import Testing
import UsageModel
import YAMLInput

@testable import Workbench

@Suite("The counterfactual run")
struct CounterfactualTests {
    static func run(
        users: Int = 4_000, days: Int = 150, threads: Int = 2, everyone: Bool = false,
        edit: (inout InterventionSpec) -> Void = { _ in }
    ) throws -> (ExperimentRun, Simulator, OutcomeRecorder) {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/reengagement.yaml"))
        var spec = scenario.spec
        spec.users = users
        spec.days = days
        spec.signupDays = 60
        edit(&spec.interventions!)
        let simulator = try Simulator(spec: spec, threads: threads)
        let engine = SegmentationEngine(scenario.segmentation, threads: threads)
        let experiment = try #require(ExperimentRun(simulator: simulator, engine: engine, threads: threads))
        _ = try simulator.run(observers: [engine] + experiment.observers)
        let twin = try experiment.counterfactual(of: simulator, threads: threads, everyone: everyone)
        return (experiment, simulator, twin)
    }

    @Test("control users live the same lives in both runs; treated users differ only after their index day")
    func controlUnchanged() throws {
        let (experiment, simulator, twin) = try Self.run(everyone: true)
        let treatment = try #require(simulator.treatment)
        var control = 0
        var treatedDifferent = 0
        var treatedObserved = 0
        for k in experiment.recorder.entries.indices {
            #expect(experiment.recorder.entries[k].count == twin.entries[k].count)
            for (entry, other) in zip(experiment.recorder.entries[k], twin.entries[k]) {
                #expect(entry.user == other.user && entry.indexDay == other.indexDay)
                // Before the index day nothing differs: the covariate is taken from those days.
                #expect(entry.activeDaysBefore == other.activeDaysBefore)
                if Int(treatment.arm[Int(entry.user)]) == experiment.spec.controlArm {
                    control += 1
                    #expect(entry == other, "control user \(entry.user)")
                } else if entry.observed {
                    treatedObserved += 1
                    if entry != other { treatedDifferent += 1 }
                }
            }
        }
        #expect(control > 300)
        #expect(treatedObserved > 300)
        // The campaigns change some treated users' outcomes.
        #expect(treatedDifferent > 10)
    }

    @Test(
        "users no message acted on live the same days in both runs, so re-simulating the others gives the same samples")
    func alteredOnly() throws {
        let (experiment, simulator, everyone) = try Self.run(everyone: true)
        let treatment = try #require(simulator.treatment)
        let some = try experiment.counterfactual(of: simulator, threads: 2)
        var unaltered = 0
        var sampledControls = 0
        for k in experiment.recorder.entries.indices {
            for (entry, twin) in zip(experiment.recorder.entries[k], everyone.entries[k])
            where !treatment.altered[Int(entry.user)] {
                unaltered += 1
                #expect(entry == twin, "user \(entry.user), whom no message acted on")
            }
            // The re-simulated entries are a subsequence of everyone's, equal to them.
            let byUser = Dictionary(uniqueKeysWithValues: everyone.entries[k].map { ($0.user, $0) })
            for twin in some.entries[k] { #expect(byUser[twin.user] == twin) }
            #expect(some.entries[k].count < everyone.entries[k].count)
            #expect(
                some.entries[k].filter { treatment.altered[Int($0.user)] }.count
                    == everyone.entries[k].filter { treatment.altered[Int($0.user)] }.count)
            let arm = { (u: Int) in Int(treatment.arm[u]) }
            let full = try ComparisonSamples(
                experiment.pieces(treated: simulator, counterfactual: everyone).comparisons[k], spec: experiment.spec)
            let part = try ComparisonSamples(
                experiment.pieces(treated: simulator, counterfactual: some).comparisons[k], spec: experiment.spec)
            // Control users are never altered: the sample re-simulated is the one in 16 by index.
            let sampled = experiment.recorder.entries[k].filter {
                $0.observed && arm(Int($0.user)) == experiment.spec.controlArm
                    && Int($0.user) % ExperimentRun.unalteredSample == 0
            }.count
            sampledControls += sampled
            for (x, y) in zip(full.metrics, part.metrics) {
                #expect(x.trueDifference == y.trueDifference && x.treatment == y.treatment && x.control == y.control)
                #expect(y.controlDifference.count == sampled)
                #expect(y.controlDifference.allSatisfy { $0 == 0 })
            }
            for (x, y) in zip(full.ratios, part.ratios) {
                #expect(x.treatment == y.treatment && x.control == y.control)
                #expect(x.treatmentCounterfactual == y.treatmentCounterfactual)
            }
        }
        #expect(unaltered > 300)
        #expect(sampledControls > 20)
    }

    @Test("with effects on emissions only, users no message acted on live the same days as in the counterfactual")
    func emissionEffects() throws {
        let (experiment, simulator, twin) = try Self.run(everyone: true) { spec in
            for q in spec.policies.indices {
                spec.policies[q].effects = []
                spec.policies[q].emissionEffects = [
                    EmissionEffect(target: .sessions, relativeChange: 1.5),
                    EmissionEffect(target: .feature(0), relativeChange: 1),
                ]
            }
        }
        let treatment = try #require(simulator.treatment)
        var unaltered = 0
        var changed = 0
        for k in experiment.recorder.entries.indices {
            for (entry, other) in zip(experiment.recorder.entries[k], twin.entries[k]) {
                if !treatment.altered[Int(entry.user)] {
                    unaltered += 1
                    #expect(entry == other, "user \(entry.user), whom no message acted on")
                } else if entry.sessions != other.sessions {
                    changed += 1
                }
            }
        }
        #expect(unaltered > 300)
        // More sessions while the effect lasts: some treated users' outcome windows differ.
        #expect(changed > 10)
    }

    @Test("policies without effect leave every user exactly as in the counterfactual")
    func zeroEffect() throws {
        let (experiment, _, twin) = try Self.run(everyone: true) { spec in
            for q in spec.policies.indices {
                spec.policies[q].effects = []
                spec.policies[q].upgradeProbability = 0
            }
        }
        let sends = experiment.policy.counters.reduce(0) { $0 + $1.sends }
        #expect(sends > 500)
        for k in experiment.recorder.entries.indices {
            #expect(experiment.recorder.entries[k] == twin.entries[k])
        }
    }

    @Test("the same run at one and at two threads sends the same messages and records the same outcomes")
    func threads() throws {
        let (one, _, twinOne) = try Self.run(users: 2_000, days: 120, threads: 1)
        let (two, _, twinTwo) = try Self.run(users: 2_000, days: 120, threads: 2)
        #expect(one.policy.counters == two.policy.counters)
        #expect(one.recorder.entries == two.recorder.entries)
        #expect(twinOne.entries == twinTwo.entries)
    }
}

@Suite("An experiment run's results")
struct ExperimentRunResultsTests {
    @Test("results.json holds arms, lifts with their counts, campaigns, and transitions per arm that add up")
    func results() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/reengagement.yaml"))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("run").path
        _ = try Workbench.run(scenario, options: RunOptions(users: 3_000, days: 120, threads: 2, outDirectory: out))
        guard case .run(let results) = try Repository.results(in: out), let experiment = results.experiment else {
            Issue.record("no experiment in the results of a run with interventions")
            return
        }
        #expect(experiment.arms.map(\.name) == ["holdout", "reengage", "csm"])
        #expect(experiment.arms.map(\.users).reduce(0, +) + experiment.globalControlUsers == 3_000)
        #expect(experiment.comparisons.map(\.arm) == ["reengage", "csm"])
        for comparison in experiment.comparisons {
            let retention = try #require(comparison.metrics.first)
            // The lift is recomputable from the counts written beside it.
            func rate(_ g: ExperimentResults.Group) throws -> Double {
                Double(try #require(g.successes)) / Double(g.users)
            }
            #expect(abs(retention.absoluteLift - (try rate(retention.treatment) - rate(retention.control))) < 1e-12)
            #expect(retention.controlCounterfactualDifference == 0)
        }
        #expect(experiment.campaigns.count == 4)

        let transitions = results.analysis.transitions
        let overall = transitions.overall.counts
        #expect(Set(transitions.byArm.keys) == ["holdout", "reengage", "csm", "global_control"])
        var sum = overall.map { $0.map { _ in 0 } }
        for table in transitions.byArm.values {
            for i in table.counts.indices { for j in table.counts[i].indices { sum[i][j] += table.counts[i][j] } }
        }
        #expect(sum == overall)

        // transitions.csv holds the same cells: every count of the overall table under group "all".
        let csv = try String(contentsOfFile: out + "/transitions.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines.first == ["group", "from", "to", "count", "probability", "lower", "upper", "design_effect"])
        let labels = transitions.overall.labels
        var fromCSV = overall.map { $0.map { _ in 0 } }
        for line in lines.dropFirst() where line[0] == "all" {
            let i = try #require(labels.firstIndex(of: String(line[1])))
            let j = try #require(labels.firstIndex(of: String(line[2])))
            fromCSV[i][j] = try #require(Int(line[3]))
        }
        #expect(fromCSV == overall)
        #expect(lines.contains { $0[0] == "arm:reengage" })
        let segments = try String(contentsOfFile: out + "/segments.csv", encoding: .utf8)
        #expect(segments.hasPrefix("date,segment,users\n"))
    }
}

@Suite("The experiment's primary metric in a scenario")
struct PrimaryMetricScenarioTests {
    /// The scenario with its `primary_metric` line replaced by `name`, or removed when `name` is `nil`.
    static func reengagement(experimentLine name: String?) throws -> String {
        let text = try String(contentsOfFile: Repository.path("scenarios/reengagement.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let declared = lines.filter { $0.hasPrefix("    primary_metric:") }
        #expect(declared.count == 1)
        return lines.compactMap { line -> String? in
            guard line.hasPrefix("    primary_metric:") else { return String(line) }
            return name.map { "    primary_metric: \($0)" }
        }.joined(separator: "\n")
    }

    @Test func defaultsToRetentionAndReadsAnotherName() throws {
        let plain = try ScenarioLoader.parse(yaml: Self.reengagement(experimentLine: nil), file: "r.yaml")
        #expect(plain.spec.interventions?.primaryMetric == .retention)
        let declared = try ScenarioLoader.parse(
            yaml: Self.reengagement(experimentLine: "revenue_per_user"), file: "r.yaml")
        #expect(declared.spec.interventions?.primaryMetric == .revenuePerUser)
    }

    @Test func unknownNameIsRejectedWithASuggestion() throws {
        let found = scenarioProblems(in: try Self.reengagement(experimentLine: "retension"))
        #expect(
            found.map { "\($0.path): \($0.message)" } == [
                "interventions.experiment.primary_metric: expected one of: retention, activation, trial_conversion, "
                    + "expansion, revenue_per_user; did you mean 'retention'?"
            ])
    }

    /// `winsorize_at` beside `primary_metric`: 0.99 by default, read when given, refused outside [0.5, 1).
    @Test func winsorizingQuantile() throws {
        let plain = try ScenarioLoader.parse(yaml: Self.reengagement(experimentLine: nil), file: "r.yaml")
        #expect(plain.spec.interventions?.winsorizeAt == 0.99)
        let given = try ScenarioLoader.parse(
            yaml: Self.reengagement(experimentLine: "retention\n    winsorize_at: 0.95"), file: "r.yaml")
        #expect(given.spec.interventions?.winsorizeAt == 0.95)
        for bad in ["1", "0.4", "high"] {
            let found = scenarioProblems(
                in: try Self.reengagement(experimentLine: "retention\n    winsorize_at: \(bad)"))
            #expect(found.map(\.path) == ["interventions.experiment.winsorize_at"], "\(bad): \(found)")
        }
        var spec = given.spec
        spec.users = 3_000
        spec.days = 120
        let results = try #require(try Workbench.experiment(given, spec: spec, threads: 2))
        let revenue = try #require(results.comparisons.first?.metrics.first { $0.metric == "revenue_per_user" })
        #expect(revenue.winsorized?.level == 0.95)
    }

    /// Declaring a metric primary moves the family of its adjusted p-values: across the arms alone.
    @Test func resultsMarkThePrimaryMetric() throws {
        let yaml = try Self.reengagement(experimentLine: "revenue_per_user")
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "r.yaml")
        var spec = scenario.spec
        spec.users = 3_000
        spec.days = 120
        let results = try #require(try Workbench.experiment(scenario, spec: spec, threads: 2))
        #expect(results.primaryMetric == "revenue_per_user")
        let primary = results.comparisons.compactMap { c in c.metrics.first { $0.role == "primary" } }
        #expect(primary.map(\.metric) == ["revenue_per_user", "revenue_per_user"])
        #expect(results.comparisons.allSatisfy { $0.metrics.filter { $0.role == "exploratory" }.count == 4 })
        let raw = try primary.map { try #require($0.pValue) }
        for (lift, expected) in zip(primary, try MultipleTesting.holm(raw)) { #expect(lift.pValueHolm == expected) }
    }
}
