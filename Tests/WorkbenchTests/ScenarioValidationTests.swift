import Testing
import Workbench
import YAMLInput

/// Each kind of problem once, with its exact path, message and (where the fixture pins it) position.
@Suite struct ScenarioValidationTests {
    @Test func tinyScenarioIsValid() {
        #expect(scenarioProblems(in: tinyScenario) == [])
    }

    @Test func yamlSyntaxErrorIsOneProblemAtTheParsersPosition() {
        let found = scenarioProblems(in: tiny(replacing: "days: 30", with: "days: [1, 2"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "",
                    message: "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 3:7)",
                    line: 4, column: 11
                )
            ]
        )
    }

    @Test func duplicateYamlKeyIsReported() {
        let found = scenarioProblems(in: tiny(replacing: "days: 30", with: "days: 30\ndays: 31"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "", message: "invalid YAML: duplicate key 'days' in a mapping", line: 3, column: 1)
            ])
    }

    @Test func wrongType() {
        let found = scenarioProblems(in: tiny(replacing: "days: 30", with: "days: abc"))
        #expect(found == [ScenarioProblem(path: "days", message: "expected an integer, got 'abc'", line: 3, column: 7)])
    }

    @Test(
        arguments: [
            ("days: 30", "days: 30.5", "days", "expected an integer, got '30.5'"),
            ("days: 30", "days: \"30\"", "days", "expected an integer, got the quoted string '30'"),
            ("share: 1.0", "share: lots", "personas[0].share", "expected a number, got 'lots'"),
            ("share: 1.0", "share: .nan", "personas[0].share", "expected a number, got '.nan'"),
            ("population: {users: 100}", "population: [100]", "population", "expected a mapping, got a list"),
            (
                "features: [dashboards, reports]", "features: dashboards", "features",
                "expected a list, got 'dashboards'"
            ),
            (
                "    absorbing: true", "    absorbing: maybe", "states[2].absorbing",
                "expected true or false, got 'maybe'"
            ),
        ]
    )
    func wrongTypes(old: String, new: String, path: String, message: String) {
        let found = scenarioProblems(in: tiny(replacing: old, with: new))
        #expect(found.contains { $0.path == path && $0.message == message }, "\(found)")
    }

    @Test(
        arguments: [
            ("days: 30", "days: 0", "days", "must be between 1 and 3650"),
            ("days: 30", "days: 3651", "days", "must be between 1 and 3650"),
            ("days: 30", "days: 30\nseed: -1", "seed", "must be between 0 and 18446744073709551615"),
            ("days: 30", "days: 30\nseed: 18446744073709551616", "seed", "must be between 0 and 18446744073709551615"),
            ("{users: 100}", "{users: 0}", "population.users", "must be between 1 and 2147483647"),
            (
                "{users: 100}", "{users: 100, signup_days: 31}", "population.signup_days",
                "must be between 1 and days (30)"
            ),
            ("mean: 1.0}", "mean: 0}", "states[0].sessions.mean", "must be in (0, 1000]"),
            ("mean: 1.0}", "mean: 1001}", "states[0].sessions.mean", "must be in (0, 1000]"),
            (
                "key_actions_per_session: 2", "key_actions_per_session: -1", "states[0].key_actions_per_session",
                "must be in [0, 1000]"
            ),
            ("{dashboards: 0.5}", "{dashboards: 1.5}", "states[0].features.dashboards", "must be in [0, 1]"),
            ("share: 1.0", "share: 0", "personas[0].share", "must be in (0, 1]"),
            ("plan: team", "plan: team\n    trial_days: -1", "personas[0].trial_days", "must be between 0 and 3650"),
            (
                "monthly_price: 15}", "monthly_price: 15.999}", "commerce.plans[1].monthly_price",
                "at most 2 decimals: prices are kept in cents"
            ),
            ("monthly_price: 0}", "monthly_price: -5}", "commerce.plans[0].monthly_price", "must be in [0, 1000000]"),
            (
                "days: 30", "days: 30\nmodifiers: {habit: {half_life_days: 0, strength: 0.3}}",
                "modifiers.habit.half_life_days", "must be in (0, 3650]"
            ),
            (
                "days: 30", "days: 30\nmodifiers: {product_changes: [{day: 30}]}", "modifiers.product_changes[0].day",
                "must be between 0 and days - 1 (29)"
            ),
            ("days: 30", "days: 30\ndata_quality: {lost_events: 1}", "data_quality.lost_events", "must be in [0, 1)"),
            (
                "plan: team", "plan: team\n    team_size: {distribution: poisson, mean: 0.5, max: 10}",
                "personas[0].team_size.mean", "must be in [1, 1000000]"
            ),
        ]
    )
    func outOfRange(old: String, new: String, path: String, message: String) {
        let found = scenarioProblems(in: tiny(replacing: old, with: new))
        #expect(found.contains { $0.path == path && $0.message == message }, "\(found)")
    }

    @Test func missingRequiredKey() {
        let found = scenarioProblems(in: tiny(replacing: "    share: 1.0\n", with: ""))
        #expect(
            found == [
                ScenarioProblem(path: "personas[0]", message: "missing required key 'share'", line: 23, column: 5)
            ])
    }

    @Test func nullCountsAsMissing() {
        let found = scenarioProblems(in: tiny(replacing: "days: 30", with: "days:"))
        #expect(found == [ScenarioProblem(path: "days", message: "missing value", line: 3, column: 1)])
    }

    @Test func unknownKeyWithSuggestion() {
        let found = scenarioProblems(
            in: tiny(replacing: "    share: 1.0\n", with: "    share: 1.0\n    trail_days: 14\n"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].trail_days", message: "unknown key; did you mean 'trial_days'?", line: 25,
                    column: 5
                )
            ]
        )
    }

    @Test func unknownKeyWithoutCloseMatchListsTheAllowedKeys() {
        let found = scenarioProblems(in: tiny(replacing: "days: 30", with: "days: 30\ncolour: blue"))
        let allowed =
            "name, description, seed, start_date, days, population, features, milestones, activation, states, "
            + "personas, modifiers, commerce, data_quality, segmentation, interventions, analysis"
        #expect(
            found == [
                ScenarioProblem(path: "colour", message: "unknown key; allowed here: " + allowed, line: 4, column: 1)
            ])
    }

    @Test func unknownReferenceWithSuggestion() {
        let found = scenarioProblems(in: tiny(replacing: "plan: team", with: "plan: tem"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].plan", message: "unknown plan 'tem'; did you mean 'team'?", line: 25, column: 11
                )
            ]
        )
    }

    @Test(
        arguments: [
            (
                "{active: 0.9, idle: 0.08, churned: 0.02}", "{actve: 0.9, idle: 0.08, churned: 0.02}",
                "personas[0].states.active.next.actve", "unknown state 'actve'; did you mean 'active'?"
            ),
            (
                "initial_states: {active: 1.0}", "initial_states: {activ: 1.0}",
                "personas[0].initial_states.activ", "unknown state 'activ'; did you mean 'active'?"
            ),
            ("      idle:\n", "      idel:\n", "personas[0].states.idel", "unknown state 'idel'; did you mean 'idle'?"),
            (
                "{dashboards: 0.5}", "{dashbords: 0.5}", "states[0].features.dashbords",
                "unknown feature 'dashbords'; did you mean 'dashboards'?"
            ),
            (
                "requires: [setup_complete]", "requires: [setup_compete]", "milestones[1].requires[0]",
                "unknown milestone 'setup_compete'; did you mean 'setup_complete'?"
            ),
            (
                "    key_actions_per_session: 2\n", "    key_actions_per_session: 2\n    milestones: {setup: 0.1}\n",
                "states[0].milestones.setup", "unknown milestone 'setup'; did you mean 'setup_complete'?"
            ),
            (
                "days: 30", "days: 30\nactivation: [setup_complete, first_item]", "activation[1]",
                "unknown milestone 'first_item'; did you mean 'first_item_created'?"
            ),
            (
                "    - {name: team, monthly_price: 15}", "    - {name: team, monthly_price: 15}\n  after_trial: fre",
                "commerce.after_trial", "unknown plan 'fre'; did you mean 'free'?"
            ),
            (
                "    - {name: team, monthly_price: 15}",
                "    - {name: team, monthly_price: 15}\n  conversion: {idl: 0.1}",
                "commerce.conversion.idl", "unknown state 'idl'; did you mean 'idle'?"
            ),
            (
                "    - {name: team, monthly_price: 15}",
                "    - {name: team, monthly_price: 15}\n  plan_changes: [{from: free, to: teams, daily_probability: {}}]",
                "commerce.plan_changes[0].to", "unknown plan 'teams'; did you mean 'team'?"
            ),
            (
                "    - {name: team, monthly_price: 15}",
                "    - {name: team, monthly_price: 15}\n  plan_changes: [{from: free, to: team, daily_probability: {actv: 0.1}}]",
                "commerce.plan_changes[0].daily_probability.actv", "unknown state 'actv'; did you mean 'active'?"
            ),
            (
                "days: 30", "days: 30\nmodifiers: {product_changes: [{day: 3, features: {report: 2}}]}",
                "modifiers.product_changes[0].features.report", "unknown feature 'report'; did you mean 'reports'?"
            ),
            (
                "distribution: poisson, mean: 1.0", "distribution: poison, mean: 1.0",
                "states[0].sessions.distribution",
                "unknown distribution 'poison'; did you mean 'poisson'?"
            ),
        ]
    )
    func unknownReferences(old: String, new: String, path: String, message: String) {
        let found = scenarioProblems(in: tiny(replacing: old, with: new))
        #expect(found.contains { $0.path == path && $0.message == message }, "\(found)")
    }

    @Test func unknownReferenceWithoutCloseMatch() {
        let found = scenarioProblems(in: tiny(replacing: "plan: team", with: "plan: platinum"))
        #expect(
            found == [
                ScenarioProblem(path: "personas[0].plan", message: "unknown plan 'platinum'", line: 25, column: 11)
            ])
    }

    @Test(
        arguments: [
            (
                "features: [dashboards, reports]", "features: [dashboards, reports, reports]", "features[2]",
                "duplicate feature 'reports'"
            ),
            (
                "  - name: first_item_created", "  - name: setup_complete", "milestones[1].name",
                "duplicate milestone 'setup_complete'"
            ),
            (
                "    - {name: free, monthly_price: 0}", "    - {name: team, monthly_price: 0}",
                "commerce.plans[1].name",
                "duplicate plan 'team'"
            ),
            (
                "days: 30", "days: 30\nactivation: [setup_complete, setup_complete]", "activation[1]",
                "duplicate milestone 'setup_complete'"
            ),
        ]
    )
    func duplicateNames(old: String, new: String, path: String, message: String) {
        let found = scenarioProblems(in: tiny(replacing: old, with: new))
        #expect(found.contains { $0.path == path && $0.message == message }, "\(found)")
    }

    @Test func duplicateFeatureIsReportedAtIt() {
        let found = scenarioProblems(
            in: tiny(replacing: "[dashboards, reports]", with: "[dashboards, reports, reports]"))
        #expect(
            found == [ScenarioProblem(path: "features[2]", message: "duplicate feature 'reports'", line: 5, column: 33)]
        )
    }

    @Test func rowNotSummingToOneGivesTheSum() {
        let found = scenarioProblems(
            in: tiny(replacing: "{active: 0.9, idle: 0.08, churned: 0.02}", with: "{active: 0.9, idle: 0.08}"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].states.active.next",
                    message: "probabilities sum to 0.98, must sum to 1 (±1e-9)", line: 29, column: 15
                )
            ]
        )
    }

    @Test func sharesNotSummingToOne() {
        let found = scenarioProblems(in: tiny(replacing: "share: 1.0", with: "share: 0.9"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas", message: "shares sum to 0.9, must sum to 1 (±1e-9)", line: 23, column: 3)
            ]
        )
    }

    @Test func npsNeedsElevenWeights() {
        let nps = "    nps: {answer_probability: 0.1, scores: [0.5, 0.5]}\n"
        let found = scenarioProblems(
            in: tiny(replacing: "    key_actions_per_session: 1\n", with: "    key_actions_per_session: 1\n" + nps))
        #expect(
            found == [
                ScenarioProblem(
                    path: "states[1].nps.scores", message: "expected 11 weights (for the scores 0 to 10), got 2",
                    line: 20, column: 44
                )
            ]
        )
    }

    @Test func npsWeightsMustSumToOne() {
        let nps = "    nps: {answer_probability: 0.1, scores: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0]}\n"
        let found = scenarioProblems(
            in: tiny(replacing: "    key_actions_per_session: 1\n", with: "    key_actions_per_session: 1\n" + nps))
        #expect(
            found == [
                ScenarioProblem(
                    path: "states[1].nps.scores", message: "weights sum to 0.95, must sum to 1 (±1e-9)", line: 20,
                    column: 44
                )
            ]
        )
    }

    @Test func absorbingStateTakesNoEmissions() {
        let found = scenarioProblems(
            in: tiny(
                replacing: "    absorbing: true",
                with: "    absorbing: true\n    level: 0\n    features: {reports: 0.1}")
        )
        let message = "not allowed on the absorbing state: churned users do nothing"
        #expect(
            found == [
                ScenarioProblem(path: "states[2].level", message: message, line: 22, column: 5),
                ScenarioProblem(path: "states[2].features", message: message, line: 23, column: 5),
            ]
        )
    }

    @Test func noAbsorbingState() {
        let found = scenarioProblems(in: tiny(replacing: "    absorbing: true\n", with: "    absorbing: false\n"))
        #expect(
            found.first
                == ScenarioProblem(
                    path: "states", message: "no absorbing state; mark the churn state with 'absorbing: true'",
                    line: 11,
                    column: 3
                )
        )
    }

    @Test func twoAbsorbingStates() {
        let found = scenarioProblems(
            in: tiny(
                replacing: "    absorbing: true\n", with: "    absorbing: true\n  - name: gone\n    absorbing: true\n")
        )
        #expect(
            found == [
                ScenarioProblem(
                    path: "states[3].absorbing", message: "only one state may be absorbing; 'churned' already is",
                    line: 23, column: 16
                )
            ]
        )
    }

    @Test func personaMissingAStateRow() {
        let found = scenarioProblems(
            in: tiny(replacing: "      idle:\n        next: {idle: 0.9, active: 0.05, churned: 0.05}\n", with: ""))
        #expect(
            found == [ScenarioProblem(path: "personas[0].states", message: "missing state 'idle'", line: 28, column: 7)]
        )
    }

    @Test func personaStateWithoutNext() {
        let found = scenarioProblems(
            in: tiny(replacing: "        next: {idle: 0.9, active: 0.05, churned: 0.05}\n", with: "        {}\n"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].states.idle", message: "missing required key 'next'", line: 31, column: 9)
            ]
        )
    }

    @Test func personaMayNotDescribeTheAbsorbingState() {
        let found = scenarioProblems(
            in: tiny(replacing: "      idle:\n", with: "      churned:\n        next: {churned: 1}\n      idle:\n"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].states.churned",
                    message: "the absorbing state 'churned' takes no behaviour: churned users do nothing", line: 30,
                    column: 7
                )
            ]
        )
    }

    @Test func initialStateMassOnTheAbsorbingState() {
        let found = scenarioProblems(in: tiny(replacing: "{active: 1.0}", with: "{active: 0.9, churned: 0.1}"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].initial_states.churned",
                    message: "users cannot start in the absorbing state 'churned'", line: 26, column: 35
                )
            ]
        )
    }

    @Test func emissionWithNoDefaultMustBeGivenByThePersona() {
        let found = scenarioProblems(
            in: tiny(replacing: "    sessions: {distribution: poisson, mean: 0.1}\n", with: ""))
        #expect(
            found == [
                ScenarioProblem(
                    path: "personas[0].states.idle.sessions", message: "missing; give it here or under states[1]",
                    line: 30, column: 9
                )
            ]
        )
    }

    @Test func personaOverrideSatisfiesAMissingDefault() {
        let yaml = tiny(replacing: "    sessions: {distribution: poisson, mean: 0.1}\n", with: "")
            .replacing(
                "next: {idle: 0.9, active: 0.05, churned: 0.05}",
                with:
                    "next: {idle: 0.9, active: 0.05, churned: 0.05}\n        sessions: {distribution: poisson, mean: 0.2}"
            )
        #expect(scenarioProblems(in: yaml) == [])
    }

    @Test func distributionKeysOfAnotherKindAreNamed() {
        let found = scenarioProblems(in: tiny(replacing: "mean: 1.0}", with: "mean: 1.0, dispersion: 2}"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "states[0].sessions.dispersion", message: "not used by distribution 'poisson'", line: 13,
                    column: 50
                )
            ]
        )
    }

    @Test func milestonesMayOnlyRequireEarlierOnes() {
        let found = scenarioProblems(
            in: tiny(
                replacing: "  - name: setup_complete\n",
                with: "  - name: setup_complete\n    requires: [first_item_created]\n")
        )
        #expect(
            found == [
                ScenarioProblem(
                    path: "milestones[0].requires[0]",
                    message:
                        "'first_item_created' is declared after 'setup_complete'; a milestone may only require earlier ones",
                    line: 8, column: 16
                )
            ]
        )
    }

    @Test func planChangeMustChangePlan() {
        let yaml = tiny(
            replacing: "    - {name: team, monthly_price: 15}",
            with:
                "    - {name: team, monthly_price: 15}\n  plan_changes: [{from: team, to: team, daily_probability: {}}]"
        )
        #expect(
            scenarioProblems(in: yaml).map(\.description) == [
                "36:35: commerce.plan_changes[0].to: must differ from 'from' ('team')"
            ])
    }

    @Test func scenarioNameCannotLeaveTheReportsFolder() {
        let found = scenarioProblems(in: tiny(replacing: "name: tiny", with: "name: .."))
        #expect(found.map(\.path) == ["name"])
    }

    @Test func invalidDate() {
        let found = scenarioProblems(in: tiny(replacing: "2026-01-05", with: "2026-02-30"))
        #expect(
            found == [
                ScenarioProblem(
                    path: "start_date", message: "expected a date as YYYY-MM-DD, got '2026-02-30'", line: 2, column: 13)
            ])
    }

    @Test func tooManyFeatures() {
        let names = (0..<33).map { "f\($0)" }.joined(separator: ", ")
        let found = scenarioProblems(
            in: tiny(replacing: "features: [dashboards, reports]", with: "features: [dashboards, reports, \(names)]"))
        // 35 > 32: one problem at the list; the names themselves are fine and still usable as references.
        #expect(
            found == [
                ScenarioProblem(path: "features", message: "too many features: 35, at most 32", line: 5, column: 11)
            ])
    }

    @Test func tooFewStates() {
        let yaml = """
            name: x
            start_date: 2026-01-05
            days: 10
            population: {users: 1}
            states: [{name: churned, absorbing: true}]
            personas: [{name: p, share: 1, plan: free, initial_states: {}, states: {}}]
            commerce: {plans: [{name: free, monthly_price: 0}]}
            """
        let found = scenarioProblems(in: yaml)
        #expect(
            found.contains(
                ScenarioProblem(path: "states", message: "too few states: 1, at least 2", line: 5, column: 9)))
    }

    @Test func everyProblemIsReportedInOnePassSortedByPosition() {
        let yaml = tiny(replacing: "days: 30", with: "days: -3")
            .replacing("mean: 1.0}", with: "mean: 0}")
            .replacing("    share: 1.0\n", with: "    share: 1.0\n    trail_days: 14\n")
            .replacing("plan: team", with: "plan: tem")
            .replacing("{active: 0.9, idle: 0.08, churned: 0.02}", with: "{active: 0.9, idle: 0.08}")
            .replacing("{name: free, monthly_price: 0}", with: "{name: free, monthly_price: 0, currency: EUR}")
        let found = scenarioProblems(in: yaml).map(\.description)
        #expect(
            found == [
                "3:7: days: must be between 1 and 3650",
                "13:45: states[0].sessions.mean: must be in (0, 1000]",
                "25:5: personas[0].trail_days: unknown key; did you mean 'trial_days'?",
                "26:11: personas[0].plan: unknown plan 'tem'; did you mean 'team'?",
                "30:15: personas[0].states.active.next: probabilities sum to 0.98, must sum to 1 (±1e-9)",
                "35:38: commerce.plans[0].currency: unknown key; allowed here: name, monthly_price, caps, lacks",
            ]
        )
    }

    @Test func errorDescriptionHasOneLinePerProblem() {
        let yaml = tiny(replacing: "plan: team", with: "plan: tem").replacing("days: 30", with: "days: x")
        #expect {
            try ScenarioLoader.parse(yaml: yaml, file: "s.yaml")
        } throws: { error in
            (error as? ScenarioError)?.description
                == "s.yaml:3:7: days: expected an integer, got 'x'\n"
                + "s.yaml:25:11: personas[0].plan: unknown plan 'tem'; did you mean 'team'?"
        }
    }
}

@Suite struct ScenarioSuggestionTests {
    /// Persona keys are name, share, plan, trial_days, team_size, initial_states, states.
    @Test(
        arguments: [
            ("trail_days", "trial_days"),  // two letters swapped
            ("plna", "plan"),
            ("initial_state", "initial_states"),
            ("trial", "trial_days"),  // a prefix
            ("Share", "share"),  // case
        ]
    )
    func suggestsTheCloseKey(word: String, expected: String) {
        let found = scenarioProblems(in: tiny(replacing: "    share: 1.0\n", with: "    share: 1.0\n    \(word): 1\n"))
        #expect(found.map(\.message) == ["unknown key; did you mean '\(expected)'?"])
    }

    @Test func shortWordsAreNotForcedOntoAKey() {
        let found = scenarioProblems(in: tiny(replacing: "    share: 1.0\n", with: "    share: 1.0\n    xy: 1\n"))
        #expect(found.map(\.message).first?.hasPrefix("unknown key; allowed here:") == true)
    }
}
