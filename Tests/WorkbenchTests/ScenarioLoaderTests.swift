import Foundation
import Simulation
import Testing
import UsageModel
import Workbench
import YAMLInput

/// A file of the repository, found from this file so the tests run from any working directory.
func repositoryFile(_ relativePath: String) -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/WorkbenchTests/ScenarioLoaderTests.swift
    return (parts.map(String.init) + [relativePath]).joined(separator: "/")
}

let defaultScenarioPath = repositoryFile("scenarios/saas-default.yaml")

@Suite struct ScenarioLoaderTests {
    @Test func defaultScenarioLoads() throws {
        let scenario = try ScenarioLoader.load(contentsOf: defaultScenarioPath)
        let spec = scenario.spec
        let model = spec.model
        #expect(scenario.name == "saas-default")
        #expect(scenario.description?.hasPrefix("B2B work-management SaaS") == true)
        #expect(scenario.source.contains("name: saas-default"))
        #expect(spec.seed == 42)
        #expect(spec.startDate == CivilDate(year: 2026, month: 1, day: 5))
        #expect(spec.days == 365)
        #expect(spec.users == 20_000)
        #expect(spec.signupDays == 120)

        #expect(
            model.states.map(\.name) == ["onboarding", "exploring", "engaged", "power", "fading", "lapsed", "churned"])
        #expect(model.states[3] == LatentState(name: "power", level: 4))
        #expect(model.churnedState == 6)
        #expect(model.features == ["dashboards", "reports", "automations", "integrations", "exports"])
        #expect(
            model.milestones == [
                Milestone(name: "setup_complete", requires: []),
                Milestone(name: "first_item_created", requires: [0]),
                Milestone(name: "teammate_invited", requires: [1]),
            ]
        )
        #expect(model.activationMilestones == [0, 1, 2])
        #expect(model.personas.map(\.name) == ["solo", "small_team", "enterprise"])
        #expect(model.personas.map(\.share) == [0.40, 0.45, 0.15])
        #expect(model.personas.map(\.plan) == [1, 1, 2])
        #expect(model.personas.map(\.trialDays) == [14, 14, 14])
        #expect(model.personas[0].teamSize == .fixed(1))
        #expect(model.personas[1].teamSize == .poisson(mean: 5, max: 30))
        #expect(model.personas[2].teamSize == .lognormal(median: 25, sigma: 0.8, max: 400))
        #expect(model.personas[2].initialStates == [0.85, 0.15, 0, 0, 0, 0, 0])

        // A row as written, unlisted states 0, in declaration order.
        let solo = model.personas[0]
        #expect(solo.states[0].next == [0.83, 0.07, 0.01, 0, 0, 0.065, 0.025])
        // State defaults fill what the persona leaves out; a persona's field replaces the default whole.
        #expect(solo.states[0].sessions == .negativeBinomial(mean: 1.2, dispersion: 1.5))
        #expect(solo.states[0].milestoneHazard == [0.35, 0.30, 0.02])
        #expect(model.personas[1].states[0].milestoneHazard == [0.35, 0.30, 0.10])
        #expect(model.personas[2].states[3].sessions == .negativeBinomial(mean: 2.8, dispersion: 3.0))
        #expect(model.personas[2].states[3].featureUse == [0.90, 0.70, 0.60, 0.65, 0.30])
        #expect(solo.states[5].featureUse == [0.25, 0.03, 0, 0, 0.15])
        #expect(solo.states[5].sessions == .poisson(mean: 0.05))
        // Anchored NPS weights are shared between states.
        #expect(solo.states[1].npsScoreWeights == solo.states[0].npsScoreWeights)
        #expect(solo.states[2].npsAnswerProbability == 0.012)

        // The churned state's entry stays put and does nothing.
        let churned = solo.states[6]
        #expect(churned.next == [0, 0, 0, 0, 0, 0, 1])
        #expect(churned.sessions == .poisson(mean: 0))
        #expect(churned.featureUse == [0, 0, 0, 0, 0])
        #expect(churned.milestoneHazard == [0, 0, 0])

        #expect(model.habit == Habit(halfLifeDays: 7, strength: 0.35))
        #expect(model.weekdayFactors == [1.22, 1.24, 1.22, 1.16, 1.04, 0.60, 0.52])
        #expect(
            model.productChanges == [
                ProductChange(day: 200, sessionFactor: 1, keyActionFactor: 1.1, featureFactors: [1, 1, 1.6, 1, 1])
            ]
        )

        let commerce = model.commerce
        #expect(commerce.currency == "USD")
        #expect(commerce.plans.map(\.monthlyPriceCents) == [0, 1500, 3900])
        #expect(commerce.fallbackPlan == 0)
        #expect(commerce.conversion == [0.06, 0.20, 0.55, 0.80, 0.05, 0.01, 0])
        #expect(commerce.planChanges.count == 3)
        #expect(
            commerce.planChanges[0] == PlanChange(from: 1, to: 2, dailyProbability: [0, 0, 0.0005, 0.003, 0, 0, 0]))

        #expect(
            spec.dataQuality
                == DataQuality(
                    lostEvents: 0.02, duplicateUserShare: 0.02, duplicateEventShare: 0.3, lateEventProbability: 0.03,
                    lateDelayMedianHours: 4, lateDelaySigma: 1
                )
        )
    }

    @Test func everyPersonaRowIsADistribution() throws {
        let model = try ScenarioLoader.load(contentsOf: defaultScenarioPath).spec.model
        for persona in model.personas {
            #expect(persona.states.count == model.states.count)
            for behaviour in persona.states {
                #expect(abs(behaviour.next.reduce(0, +) - 1) <= 1e-9)
                #expect(behaviour.featureUse.count == model.features.count)
                #expect(behaviour.milestoneHazard.count == model.milestones.count)
                #expect(behaviour.npsScoreWeights.count == 11)
            }
        }
    }

    @Test func defaultsFillWhatIsNotGiven() throws {
        let spec = try ScenarioLoader.parse(yaml: tinyScenario, file: "tiny.yaml").spec
        #expect(spec.seed == 1)
        #expect(spec.signupDays == 1)
        #expect(spec.dataQuality == .none)
        let model = spec.model
        #expect(model.activationMilestones == [0, 1])
        #expect(model.habit == nil)
        #expect(model.weekdayFactors == Array(repeating: 1, count: 7))
        #expect(model.productChanges.isEmpty)
        #expect(model.commerce.currency == "USD")
        #expect(model.commerce.fallbackPlan == nil)
        #expect(model.commerce.conversion == [0, 0, 0])
        #expect(model.commerce.planChanges.isEmpty)
        let persona = model.personas[0]
        #expect(persona.trialDays == 0)
        #expect(persona.teamSize == .fixed(1))
        let idle = persona.states[1]
        #expect(idle.featureUse == [0, 0])
        #expect(idle.milestoneHazard == [0, 0])
        #expect(idle.npsAnswerProbability == 0)
        #expect(idle.npsScoreWeights == Array(repeating: 1.0 / 11, count: 11))
    }

    /// Keeps the documentation honest: its short example must load as written.
    @Test func documentedExampleLoads() throws {
        let doc = try String(contentsOfFile: repositoryFile("docs/scenario-format.md"), encoding: .utf8)
        let section = try #require(doc.split(separator: "## A short complete example").last)
        let block = try #require(section.split(separator: "```yaml\n").dropFirst().first?.split(separator: "```").first)
        let scenario = try ScenarioLoader.parse(yaml: String(block), file: "example")
        #expect(scenario.name == "tiny")
        #expect(scenario.spec.model.commerce.plans[1].monthlyPriceCents == 1250)
    }

    @Test func seedsUseTheWhole64BitRange() throws {
        let yaml = tiny(replacing: "days: 30", with: "days: 30\nseed: 18446744073709551615")
        #expect(try ScenarioLoader.parse(yaml: yaml, file: "t").spec.seed == UInt64.max)
    }

    @Test func quotedDateAndSeparatorsAreAccepted() throws {
        let yaml = tiny(replacing: "start_date: 2026-01-05", with: "start_date: \"2024-02-29\"")
            .replacing("{users: 100}", with: "{users: 20_000}")
        let spec = try ScenarioLoader.parse(yaml: yaml, file: "t").spec
        #expect(spec.startDate == CivilDate(year: 2024, month: 2, day: 29))
        #expect(spec.users == 20_000)
    }

    @Test func mergeKeysFillInSharedFields() throws {
        let yaml = tiny(
            replacing: "  - name: idle\n    level: 0\n    sessions: {distribution: poisson, mean: 0.1}\n",
            with: "  - <<: {level: 0, sessions: {distribution: poisson, mean: 0.1}}\n    name: idle\n"
        )
        let model = try ScenarioLoader.parse(yaml: yaml, file: "t").spec.model
        #expect(model.states[1] == LatentState(name: "idle", level: 0))
        #expect(model.personas[0].states[1].sessions == .poisson(mean: 0.1))
    }

    @Test func unreadableFileIsOneProblemWithoutPosition() {
        let path = "/nonexistent/segmentlab/scenario.yaml"
        #expect {
            try ScenarioLoader.load(contentsOf: path)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.problems == [ScenarioProblem(path: "", message: "cannot read: no such file")]
                && error.description == "\(path): cannot read: no such file"
        }
    }

    @Test func emptyFileIsReported() {
        #expect(
            scenarioProblems(in: "# nothing yet\n").map(\.message).first?.hasPrefix("the file has no content") == true)
    }

    @Test func descriptionsPutThePositionFirst() {
        let problem = ScenarioProblem(
            path: "personas[1].states.fading.sessions.mean", message: "must be > 0", line: 12, column: 7
        )
        #expect(problem.description == "12:7: personas[1].states.fading.sessions.mean: must be > 0")
        let error = ScenarioError(
            file: "s.yaml",
            problems: [
                problem, ScenarioProblem(path: "days", message: "must be between 1 and 3650", line: 3, column: 7),
            ]
        )
        #expect(
            error.description
                == "s.yaml:3:7: days: must be between 1 and 3650\n"
                + "s.yaml:12:7: personas[1].states.fading.sessions.mean: must be > 0"
        )
    }
}
