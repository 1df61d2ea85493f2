import Foundation
import Testing
import Workbench
import YAMLInput

/// Problems of `commerce.plans[i].caps`, `lacks` and a policy's `upgrade_probability` mapping, each at its place.
@Suite struct PlanLimitsValidationTests {
    static let freePlan = "    - {name: free, monthly_price: 0}"

    @Test func validLimitsAreAccepted() {
        let yaml = tiny(
            replacing: Self.freePlan,
            with:
                "    - {name: free, monthly_price: 0, caps: {key_actions_per_week: 30, features_per_week: {reports: 2}}, "
                + "lacks: [dashboards]}")
        #expect(scenarioProblems(in: yaml) == [])
    }

    @Test func badCapsAndLacksAreReportedAtTheirPlace() {
        let yaml = tiny(
            replacing: Self.freePlan,
            with: "    - {name: free, monthly_price: 0, caps: {key_action_per_week: 3, features_per_week: "
                + "{report: 2, dashboards: 0}}, lacks: [exprts, dashboards, dashboards]}")
        let found = scenarioProblems(in: yaml)
        let expected: [(String, String)] = [
            (
                "commerce.plans[0].caps.key_action_per_week",
                "unknown key; did you mean 'key_actions_per_week'?"
            ),
            ("commerce.plans[0].caps.features_per_week.report", "unknown feature 'report'; did you mean 'reports'?"),
            ("commerce.plans[0].caps.features_per_week.dashboards", "must be between 1 and 7"),
            ("commerce.plans[0].lacks[0]", "unknown feature 'exprts'"),
            ("commerce.plans[0].lacks[2]", "duplicate feature 'dashboards'"),
        ]
        for (path, message) in expected {
            #expect(
                found.contains { $0.path == path && $0.message.hasPrefix(message) }, "\(path): \(message) in \(found)")
        }
        #expect(found.allSatisfy { $0.line == 34 }, "\(found)")
    }

    @Test func aPlanCannotLackAFeatureItCaps() {
        let yaml = tiny(
            replacing: Self.freePlan,
            with:
                "    - {name: free, monthly_price: 0, caps: {features_per_week: {reports: 2}}, lacks: [dashboards, reports]}"
        )
        let found = scenarioProblems(in: yaml)
        #expect(
            found == [
                ScenarioProblem(
                    path: "commerce.plans[0].lacks[1]",
                    message: "plan 'free' caps 'reports' in caps.features_per_week, so it cannot lack it", line: 34,
                    column: 99)
            ], "\(found)")
    }

    @Test func upgradeProbabilityByState() throws {
        let text = try String(contentsOfFile: Repository.path("scenarios/expansion.yaml"), encoding: .utf8)
        let old = "upgrade_probability: {exploring: 0.03, engaged: 0.15, power: 0.35}"
        #expect(text.contains(old))
        let found = scenarioProblems(
            in: text.replacing(old, with: "upgrade_probability: {exploring: 1.5, engagd: 0.15, churned: 0.1}"))
        let expected: [(String, String)] = [
            ("interventions.policies[0].upgrade_probability.exploring", "must be in [0, 1]"),
            ("interventions.policies[0].upgrade_probability.engagd", "unknown state 'engagd'; did you mean 'engaged'?"),
            ("interventions.policies[0].upgrade_probability.churned", "the absorbing state 'churned' cannot upgrade"),
        ]
        for (path, message) in expected {
            #expect(
                found.contains { $0.path == path && $0.message.hasPrefix(message) }, "\(path): \(message) in \(found)")
        }
        #expect(found.count == 3, "\(found)")
        let word = scenarioProblems(in: text.replacing(old, with: "upgrade_probability: often"))
        #expect(word.count == 1 && word[0].path == "interventions.policies[0].upgrade_probability", "\(word)")
    }

    @Test func theExpansionScenarioIsValid() throws {
        let text = try String(contentsOfFile: Repository.path("scenarios/expansion.yaml"), encoding: .utf8)
        #expect(scenarioProblems(in: text) == [])
    }
}
