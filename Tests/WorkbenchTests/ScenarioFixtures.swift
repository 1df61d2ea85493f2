import Testing
import Workbench
import YAMLInput

/// The smallest scenario using every kind of reference; tests break one thing in it at a time.
///
/// Line numbers matter: tests check the positions of problems, so add lines only at the end.
let tinyScenario = """
    name: tiny
    start_date: 2026-01-05
    days: 30
    population: {users: 100}
    features: [dashboards, reports]
    milestones:
      - name: setup_complete
      - name: first_item_created
        requires: [setup_complete]
    states:
      - name: active
        level: 1
        sessions: {distribution: poisson, mean: 1.0}
        key_actions_per_session: 2
        features: {dashboards: 0.5}
      - name: idle
        level: 0
        sessions: {distribution: poisson, mean: 0.1}
        key_actions_per_session: 1
      - name: churned
        absorbing: true
    personas:
      - name: solo
        share: 1.0
        plan: team
        initial_states: {active: 1.0}
        states:
          active:
            next: {active: 0.9, idle: 0.08, churned: 0.02}
          idle:
            next: {idle: 0.9, active: 0.05, churned: 0.05}
    commerce:
      plans:
        - {name: free, monthly_price: 0}
        - {name: team, monthly_price: 15}

    """

/// `tinyScenario` with `old` replaced by `new`, failing the test when `old` is not there (a stale edit would
/// otherwise test the unbroken scenario).
func tiny(replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    #expect(tinyScenario.contains(old), "fixture has no '\(old)'", sourceLocation: sourceLocation)
    return tinyScenario.replacing(old, with: new)
}

/// The problems found in `yaml`, or none when it loads.
func scenarioProblems(in yaml: String) -> [ScenarioProblem] {
    do throws(ScenarioError) {
        _ = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
        return []
    } catch {
        return error.problems
    }
}
