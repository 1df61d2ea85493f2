import Analysis
import Simulation
import Testing

@testable import Workbench

@Suite("Replicates: false positives and coverage")
struct ReplicateTests {
    /// The re-engagement scenario, small, with three equal arms: the control, an e-mail to users
    /// entering dormant that has no effect at all, and the same e-mail with a strong effect.
    static func scenario() throws -> (Scenario, SimulationSpec) {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/reengagement.yaml"))
        var spec = scenario.spec
        spec.users = 600
        spec.days = 75
        spec.signupDays = 30
        var interventions = try #require(spec.interventions)
        let email = try #require(interventions.policies.firstIndex { $0.name == "dormant_email" })
        var inert = interventions.policies[email]
        inert.name = "inert_email"
        inert.effects = []
        var strong = interventions.policies[email]
        strong.effects = [
            TransitionEffect(from: 5, to: 1, relativeChange: 3), TransitionEffect(from: 5, to: 6, relativeChange: -0.6),
        ]
        interventions.policies = [inert, strong]
        interventions.channels[Channel.email.index].opened = 0.6
        interventions.outcomeDays = 21
        interventions.globalControlShare = 0
        interventions.arms = [
            Arm(name: "control", weight: 1, policies: [], isControl: true),
            Arm(name: "inert", weight: 1, policies: [0], isControl: false),
            Arm(name: "strong", weight: 1, policies: [1], isControl: false),
        ]
        spec.interventions = interventions
        #expect(spec.model.states[5].name == "lapsed" && spec.model.states[1].name == "exploring")
        return (scenario, spec)
    }

    /// 240 replicates: a rate of 5 % is estimated within ±1.4 percentage points (one binomial
    /// standard deviation, √(0.05 · 0.95 / 240)); the bounds below are 3.5 of them.
    @Test(
        "an inert policy is found significant in about 5 % of replicates; a real effect is covered about 95 % of the time"
    )
    func falsePositivesAndCoverage() throws {
        let (scenario, spec) = try Self.scenario()
        let count = 240
        let first = try #require(try Workbench.experiment(scenario, spec: spec, threads: 2))
        let runs = [first] + (try Workbench.replicates(scenario, spec: spec, count: count, threads: 2))
        let summary = try ReplicateResults(seeds: (0..<count).map { spec.seed &+ UInt64($0) }, runs: runs)
        let sd = (0.05 * 0.95 / Double(count)).squareRoot()

        let inert = try #require(summary.comparisons.first { $0.arm == "inert" }?.metrics.first)
        #expect(inert.metric == "retention_day_21")
        // Nothing differs between the inert arm's users and their counterfactual twins.
        #expect(inert.trueEffects.allSatisfy { $0 == 0 })
        let falsePositives = try #require(inert.power)
        #expect(abs(falsePositives - 0.05) < 3.5 * sd, "false-positive rate \(falsePositives)")
        // The lifts centre on zero: within 3.5 standard errors of their mean.
        let spread = try #require(inert.standardDeviationOfLift)
        #expect(abs(inert.meanLift) < 3.5 * spread / Double(count).squareRoot())
        // The intervals' widths match the lifts' spread across replicates (within 15 %: the
        // standard deviation of 240 draws is itself known to about ±5 %).
        let error = try #require(inert.meanStandardError)
        #expect(abs(spread / error - 1) < 0.15, "sd \(spread), mean standard error \(error)")

        let strong = try #require(summary.comparisons.first { $0.arm == "strong" }?.metrics.first)
        #expect(strong.meanTrueEffect > 0.03)
        let coverage = try #require(strong.coverage)
        #expect(coverage > 0.95 - 3.5 * sd, "coverage \(coverage)")
        // Every other estimator keeps the level on the inert arm and covers the true effect of the strong one,
        // each within 3.5 binomial standard deviations for the replicates it gave a result in. (Arms of about
        // 90 users never reach the 100 a sequential look needs; the looks are tested in SequentialLooksTests.)
        let names = ["fixed horizon", "CUPED", "regression-adjusted", "Bayesian"]
        #expect(inert.methods.map(\.method) == names)
        for a in inert.methods {
            let b = try #require(strong.methods.first { $0.method == a.method })
            let k = Double(a.replicates)
            #expect(a.replicates >= count / 2, "\(a.method): \(a.replicates) replicates")
            let level = try #require(a.rejections)
            #expect(abs(level - 0.05) < 3.5 * (0.05 * 0.95 / k).squareRoot(), "\(a.method): false positives \(level)")
            let covered = try #require(b.coverage)
            #expect(
                covered > 0.95 - 3.5 * (0.05 * 0.95 / Double(b.replicates)).squareRoot(),
                "\(b.method): coverage \(covered)")
        }
        #expect(inert.methods[0].rejections == inert.power)
    }
}

@Suite("The experiment-check scenario")
struct ExperimentCheckScenarioTests {
    @Test("is valid, with a placebo without effect and a real e-mail")
    func valid() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/experiment-check.yaml"))
        let interventions = try #require(scenario.spec.interventions)
        #expect(interventions.policies.map(\.name) == ["placebo_email", "reengage_email"])
        #expect(interventions.policies[0].effects.isEmpty)
        #expect(interventions.policies[1].effects.count == 3)
        #expect(interventions.arms.map(\.name) == ["holdout", "placebo", "reengage"])
    }
}
