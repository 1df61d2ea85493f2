import Foundation
import Segmentation
import Simulation
import Testing
import UsageModel
import YAMLInput

@testable import Workbench

/// Campaign effects on emissions and surveys, run through the whole simulator on crafted users whose
/// every number is known: one state that never changes, 40 sessions a day (a day without a session has
/// probability e⁻²⁰ even at half the rate), every send delivered and opened, no fatigue before the first
/// message.
@Suite("Effects on emissions and surveys")
struct EmissionEffectTests {
    static let yaml = """
        name: emission-effects
        start_date: 2026-01-05
        days: 40
        population: {users: 4000, signup_days: 1}
        features: [x, y]
        milestones:
          - name: m
          - name: never
        states:
          - name: active
            level: 1
            sessions: {distribution: poisson, mean: 40}
            key_actions_per_session: 1
            features: {x: 0.1, y: 0.3}
            milestones: {m: 0.05, never: 0}
            nps: {answer_probability: 0, scores: [0.1, 0, 0, 0, 0, 0.2, 0, 0.3, 0, 0, 0.4]}
          - name: churned
            absorbing: true
        personas:
          - name: solo
            share: 1.0
            plan: free
            initial_states: {active: 1.0}
            states:
              active:
                next: {active: 1.0}
        commerce:
          plans:
            - {name: free, monthly_price: 0}
        interventions:
          fatigue: {unsubscribe_base: 0, unsubscribe_per_message: 0}
          channels:
            in_app: {consent: 1, delivered: 1, opened: 1}
            email: {consent: 1, delivered: 1, opened: 1}
          policies:
            - name: tooltip
              trigger: {missed_milestone: never, by_day: 5}
              channel: in_app
              reentry: once
              effect:
                days: 10
                sessions: -0.5
                features: {x: 1.0}
                milestones: {m: 2.0}
            - name: survey
              kind: survey
              answer_probability: 0.4
              trigger: {missed_milestone: never, by_day: 5}
              channel: email
              reentry: once
            - name: detractor_call
              trigger: {tag: detractor}
              channel: csm_call
          outcome_days: 20
          experiment:
            adoption: [x]
            arms:
              - {name: holdout, control: true}
              - {name: treated, policies: [tooltip, survey, detractor_call]}
        """

    /// Per user and day: sessions, whether feature x and y were used, whether m was reached, the NPS answer.
    final class Recorder: DayObserver {
        var sessions: [[UInt16]] = []
        var features: [[UInt32]] = []
        var milestones: [[UInt16]] = []
        var nps: [[Int8]] = []

        func dayDidEnd(_ usage: UsageDay) {
            sessions.append(Array(usage.sessions))
            features.append(Array(usage.features))
            milestones.append(Array(usage.milestones))
            nps.append(Array(usage.npsScore))
        }
    }

    static func run() throws -> (Recorder, ExperimentRun, Simulator) {
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "emission-effects.yaml")
        let simulator = try Simulator(spec: scenario.spec, threads: 2)
        let engine = SegmentationEngine(scenario.segmentation, threads: 2)
        let experiment = try #require(ExperimentRun(simulator: simulator, engine: engine, threads: 2))
        let recorder = Recorder()
        _ = try simulator.run(observers: [engine] + experiment.observers + [recorder])
        return (recorder, experiment, simulator)
    }

    /// The treated arm's users with the day their messages were sent (their index day).
    static func treated(_ experiment: ExperimentRun, _ simulator: Simulator) throws -> [(user: Int, sent: Int)] {
        let treatment = try #require(simulator.treatment)
        return experiment.recorder.entries[0].compactMap { e in
            treatment.arm[Int(e.user)] == 1 ? (Int(e.user), Int(e.indexDay)) : nil
        }
    }

    @Test("sessions, a feature and a milestone move by 1 + change × strength, the strength falling over 10 days")
    func emissions() throws {
        let (usage, experiment, simulator) = try Self.run()
        let users = try Self.treated(experiment, simulator)
        #expect(users.count > 1_800)
        // The effect starts the day after the send at full strength and falls by a tenth a day.
        for k in 0..<10 {
            let strength = 1 - Double(k) / 10
            let day = { (u: (user: Int, sent: Int)) in u.sent + 1 + k }
            // Sessions: Poisson with mean 40 (1 − 0.5 s); the mean over n users has SD √(mean / n).
            let mean = 40 * (1 - 0.5 * strength)
            let total = users.reduce(0) { $0 + Int(usage.sessions[day($1)][$1.user]) }
            let sd = (mean / Double(users.count)).squareRoot()
            #expect(abs(Double(total) / Double(users.count) - mean) < 4.5 * sd, "day \(k) of the effect")
        }
        // Feature x: 0.1 (1 + s); y untouched at 0.3; milestone m: hazard 0.05 (1 + 2 s) among those who
        // have not reached it. Summed over the 10 days, each count against its binomial SD.
        var x = (observed: 0.0, expected: 0.0, variance: 0.0)
        var y = x
        var m = x
        for u in users {
            var reached = (0...u.sent).contains { usage.milestones[$0][u.user] & 1 != 0 }
            for k in 0..<10 {
                let d = u.sent + 1 + k
                let s = 1 - Double(k) / 10
                let px = 0.1 * (1 + s)
                x.observed += usage.features[d][u.user] & 1 != 0 ? 1 : 0
                x.expected += px
                x.variance += px * (1 - px)
                y.observed += usage.features[d][u.user] & 2 != 0 ? 1 : 0
                y.expected += 0.3
                y.variance += 0.3 * 0.7
                guard !reached else { continue }
                let h = 0.05 * (1 + 2 * s)
                let now = usage.milestones[d][u.user] & 1 != 0
                m.observed += now ? 1 : 0
                m.expected += h
                m.variance += h * (1 - h)
                reached = now
            }
        }
        for (name, c) in [("x", x), ("y", y), ("m", m)] {
            #expect(abs(c.observed - c.expected) < 4.5 * c.variance.squareRoot(), "\(name): \(c)")
        }
        // Before the send nothing differs from the control arm's rate: x at 0.1 over days 0 ... 4.
        let early = users.reduce(0) { sum, u in
            sum + (0..<5).filter { usage.features[$0][u.user] & 1 != 0 }.count
        }
        let n = Double(users.count * 5)
        #expect(abs(Double(early) - 0.1 * n) < 4.5 * (n * 0.09).squareRoot())
    }

    @Test("an opened survey is answered the next day with its probability, scores drawn from the state")
    func survey() throws {
        let (usage, experiment, simulator) = try Self.run()
        let users = try Self.treated(experiment, simulator)
        var answered = 0
        var scoreSum = 0
        var detractors = 0
        for u in users {
            // The state never answers by itself: only the day after the send holds an answer.
            for d in 0..<usage.nps.count where d != u.sent + 1 { #expect(usage.nps[d][u.user] == -1) }
            let score = Int(usage.nps[u.sent + 1][u.user])
            guard score >= 0 else { continue }
            answered += 1
            scoreSum += score
            if score <= 6 { detractors += 1 }
        }
        let n = Double(users.count)
        #expect(abs(Double(answered) - 0.4 * n) < 4.5 * (n * 0.4 * 0.6).squareRoot())
        // Scores 0, 5, 7, 10 with probabilities 0.1, 0.2, 0.3, 0.4: mean 7.1, variance 60.3 − 7.1² = 9.89.
        let a = Double(answered)
        #expect(abs(Double(scoreSum) / a - 7.1) < 4.5 * (9.89 / a).squareRoot())
        // The answer is observable: every detractor answer sets the tag, whose follow-up call triggers.
        let call = experiment.policy.counters[2]
        // About 2 000 treated users × 0.4 answering × 0.3 scoring 0 or 5.
        #expect(detractors > 150)
        #expect(call.triggered == detractors)
        // The control arm is never surveyed and never answers.
        let treatment = try #require(simulator.treatment)
        for e in experiment.recorder.entries[0] where treatment.arm[Int(e.user)] == 0 {
            #expect(usage.nps.allSatisfy { $0[Int(e.user)] == -1 })
        }
    }

    @Test("a feature's adoption is measured as its use on any day up to the outcome day")
    func adoption() throws {
        let (usage, experiment, _) = try Self.run()
        let spec = experiment.spec
        #expect(spec.metricNames.last?.0 == "adoption_x")
        var checked = 0
        for e in experiment.recorder.entries[0] where e.observed {
            let last = Int(e.indexDay) + spec.outcomeDays
            let used = (0...last).contains { usage.features[$0][Int(e.user)] & 1 != 0 }
            #expect(spec.values(e).last == (used ? 1 : 0), "user \(e.user)")
            checked += 1
        }
        #expect(checked > 3_000)
    }

    @Test(
        "a bad effect or survey is reported at its place",
        arguments: [
            (
                "        sessions: -0.5\n", "        sessions: -2\n",
                "interventions.policies[0].effect.sessions: must be in [-1, 100]"
            ),
            (
                "features: {x: 1.0}", "features: {z: 1.0}",
                "interventions.policies[0].effect.features.z: unknown feature 'z'"
            ),
            (
                "milestones: {m: 2.0}", "milestones: {m: yes}",
                "interventions.policies[0].effect.milestones.m: expected a number"
            ),
            (
                "        days: 10\n        sessions: -0.5\n        features: {x: 1.0}\n        milestones: {m: 2.0}\n",
                "        days: 10\n",
                "interventions.policies[0].effect: give at least one of: transitions, sessions, features, milestones"
            ),
            ("      answer_probability: 0.4\n", "", "interventions.policies[1]: a survey needs answer_probability"),
            (
                "      kind: survey\n", "",
                "interventions.policies[1].answer_probability: only a survey (kind: survey) is answered"
            ),
            ("kind: survey", "kind: poll", "interventions.policies[1].kind: expected message or survey"),
            (
                "answer_probability: 0.4", "answer_probability: 1.5",
                "interventions.policies[1].answer_probability: must be in [0, 1]"
            ),
            (
                "    arms:\n", "    value_per_retained_user: -5\n    arms:\n",
                "interventions.experiment.value_per_retained_user: must be in [0, 1000000]"
            ),
            ("adoption: [x]", "adoption: [z]", "interventions.experiment.adoption[0]: unknown feature 'z'"),
        ])
    func invalid(_ old: String, _ new: String, _ message: String) throws {
        #expect(Self.yaml.contains(old), "fixture has no \(old)")
        let problems = scenarioProblems(in: Self.yaml.replacing(old, with: new))
        #expect(problems.map(\.description).contains { $0.contains(message) }, "\(problems)")
    }
}
