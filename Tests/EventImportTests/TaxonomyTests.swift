import Foundation
import Testing
import UsageModel
import YAMLInput

@testable import EventImport

@Suite("Taxonomy")
struct TaxonomyTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try Taxonomy.parse(yaml: yaml, file: "t.yaml")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func exampleFileMatchesTheSimulator() throws {
        let t = try Taxonomy.load(path: TaxonomyTests.repository + "/scenarios/example-taxonomy.yaml")
        var expected = Fixture.taxonomy
        expected.ignored = ["page_viewed", "identify_called"]
        #expect(t == expected)
        #expect(t.featureNames == Fixture.features && t.milestoneNames == Fixture.milestones)
    }

    /// A premium attempt names one of the features; cap events are a list of names like the others.
    @Test func capsAndPremiumAttempts() throws {
        let t = try Taxonomy.parse(
            yaml: """
                sessions: session_started
                cap_reached: cap_reached
                features:
                  - {name: reports, event: feature_used, property: feature}
                  - {name: automations, event: feature_used, property: feature}
                premium_attempts:
                  - {name: automations, event: premium_attempted, property: feature}
                  - {name: reports, event: paywall_hit}
                """)
        #expect(t.capReached == ["cap_reached"])
        #expect(
            t.premiumAttempts == [
                .init(
                    name: "automations",
                    matcher: .init(event: "premium_attempted", property: "feature", value: "automations")),
                .init(name: "reports", matcher: .init(event: "paywall_hit")),
            ])
        #expect(
            problems(
                """
                sessions: session_started
                cap_reached: [capped, capped]
                features: [{name: automations, event: feature_used}]
                premium_attempts:
                  - {name: automation, event: premium_attempted, property: feature}
                  - {name: automations, value: x}
                """) == [
                    "6:5: premium_attempts[1]: missing required key 'event'"
                ])
        #expect(
            problems(
                """
                sessions: session_started
                cap_reached: [capped, capped]
                features: [{name: automations, event: feature_used}]
                premium_attempts:
                  - {name: automation, event: premium_attempted, property: feature}
                """) == [
                    "2:23: cap_reached[1]: 'capped' is listed twice",
                    "5:12: premium_attempts[0].name: unknown feature 'automation': a premium attempt names one of the "
                        + "features; did you mean 'automations'?",
                ])
    }

    @Test func shorthands() throws {
        let t = try Taxonomy.parse(
            yaml: """
                sessions: session_started
                features:
                  - {name: reports, event: feature_used, property: feature}
                  - {name: reports, event: report_viewed}
                  - {name: exports, event: export_done}
                milestones: [{name: activated}]
                nps: [{event: survey_answered}]
                revenue: {event: order_completed}
                commerce: {trial_started: trial_started, direction: {up: [upgrade, up], down: downgrade}}
                """)
        #expect(t.sessions == ["session_started"])
        #expect(t.features[0].matcher == .init(event: "feature_used", property: "feature", value: "reports"))
        #expect(t.featureNames == ["reports", "exports"])
        #expect(t.milestones[0].matcher == .init(event: "activated"))
        #expect(t.nps == [.init(event: "survey_answered", property: "score")])
        #expect(t.revenue == [.init(event: "order_completed", property: "revenue")])
        #expect(t.commerce.trialStarted == ["trial_started"] && t.commerce.planProperty == "plan")
        #expect(t.commerce.upValues == ["upgrade", "up"] && t.commerce.downValues == ["downgrade"])
    }

    @Test func everyProblemAtItsPlaceInOnePass() {
        let yaml = """
            plan: [free]
            sessions: [session_started, 3, {a: b}]
            features:
              - {name: reports, evnt: feature_used}
              - name: exports
                event: export
                valeu: x
              - just a string
            milestones:
              - {event: x}
            nps: {event: nps, propety: score}
            commerce:
              trial_start: [t]
              direction: {property: dir, upp: [u]}
            use_anonymous_id: maybe
            """
        #expect(
            problems(yaml) == [
                "1:1: plan: unknown key; did you mean 'plans'?",
                "2:32: sessions[2]: expected a string, got a mapping",
                "4:5: features[0]: missing required key 'event'",
                "4:21: features[0].evnt: unknown key; did you mean 'event'?",
                "7:5: features[1].valeu: unknown key; did you mean 'value'?",
                "8:5: features[2]: expected a mapping, got 'just a string'",
                "10:5: milestones[0]: missing required key 'name'",
                "11:19: nps.propety: unknown key; did you mean 'property'?",
                "13:3: commerce.trial_start: unknown key; did you mean 'trial_started'?",
                "14:30: commerce.direction.upp: unknown key; did you mean 'up'?",
                "15:19: use_anonymous_id: expected true or false, got 'maybe'",
            ])
    }

    /// Prices in cents, one for every plan and none for a plan that is not listed.
    @Test func planPrices() throws {
        let t = try Taxonomy.parse(yaml: "sessions: s\nplans: [free, team]\nplan_prices: {team: 15.5, free: 0}")
        #expect(t.planPriceCents == [0, 1550])
        #expect(try Taxonomy.parse(yaml: "sessions: s\nplans: [free]").planPriceCents == nil)
        #expect(
            problems("sessions: s\nplans: [free, team, business]\nplan_prices: {free: 0, teams: 15}") == [
                "3:14: plan_prices: no price for 'team', 'business': give every plan of `plans` its monthly price",
                "3:24: plan_prices.teams: unknown plan 'teams'; did you mean 'team'?",
            ])
        #expect(
            problems("sessions: s\nplans: [free]\nplan_prices: {free: 1.234}") == [
                "3:21: plan_prices.free: at most 2 decimals: prices are kept in cents"
            ])
    }

    @Test func conflictsAndLimitsAfterTheStructure() {
        let yaml = """
            plans: [free, team, free]
            sessions: [session_started]
            ignore: [session_started]
            commerce:
              trial_started: [started]
              subscription_cancelled: [started]
              direction: {up: [x], down: [x]}
            features:
              - {name: f, event: e, value: v}
            nps:
              - {event: nps}
              - {event: nps, property: rating}
            revenue:
              - {event: order, property: total}
              - {event: order}
            """
        #expect(
            problems(yaml) == [
                "1:21: plans[2]: 'free' is listed twice",
                "3:10: ignore[0]: 'session_started' is ignored but also given a meaning",
                "6:28: commerce.subscription_cancelled[0]: 'started' is already listed under commerce.trial_started",
                "7:30: commerce.direction.down: 'x' cannot mean both up and down",
                "9:32: features[0].value: a value needs a property to compare it with",
                "12:13: nps[1].event: 'nps' already carries a score",
                "15:13: revenue[1].event: 'order' already carries an amount",
            ])
        let many = "features:\n" + (0..<33).map { "  - {name: f\($0), event: e\($0)}\n" }.joined()
        #expect(problems(many) == ["2:3: features: too many features: 33, at most 32"])
        #expect(problems("ignore: [x]") == ["1:1: the taxonomy gives no event a meaning"])
    }

    @Test func syntaxAndFileErrors() {
        #expect(
            problems("sessions: [a, b\nkey_actions: c") == [
                "2:12: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 1:11)"
            ])
        #expect(problems("") == ["1:1: the file is empty"])
        #expect(
            problems("sessions: [a]\nsessions: [b]") == ["1:1: invalid YAML: duplicate key 'sessions' in a mapping"])
        #expect(problems("- a\n- b") == ["1:1: expected a mapping, got a list"])
        let missing = thrownError { _ = try Taxonomy.load(path: "/nonexistent/t.yaml") }
        #expect((missing as? TaxonomyError)?.description == "/nonexistent/t.yaml: cannot read: no such file")
        let error = TaxonomyError(
            file: "t.yaml", problems: [TaxonomyProblem(path: "a.b", message: "m", line: 3, column: 4)])
        #expect(error.description == "t.yaml:3:4: a.b: m")
    }

    @Test func suggestions() {
        #expect(NameSuggestion.closest(to: "sesions", among: TaxonomyReader.topKeys) == "sessions")
        #expect(NameSuggestion.closest(to: "key_action", among: TaxonomyReader.topKeys) == "key_actions")
        #expect(NameSuggestion.closest(to: "feautres", among: TaxonomyReader.topKeys) == "features")
        #expect(NameSuggestion.closest(to: "normalize", among: TaxonomyReader.topKeys) == "normalize_event_names")
        #expect(NameSuggestion.closest(to: "zzz", among: TaxonomyReader.topKeys) == nil)
    }

    @Test func programmaticTaxonomiesAreCheckedToo() {
        var t = Taxonomy.simulator(features: Fixture.features, milestones: Fixture.milestones, plans: Fixture.plans)
        t.plans = (0..<32).map { "p\($0)" }
        let error = thrownError { _ = try EventLogImporter(files: ["x.csv"], taxonomy: t).scan() }
        #expect((error as? TaxonomyError)?.description == "taxonomy: plans: too many plans: 32, at most 31")
    }
}
