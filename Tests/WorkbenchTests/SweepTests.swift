import Analysis
import Foundation
import Reports
import Simulation
import Testing
import YAMLInput
import Yams

@testable import Workbench

/// The small campaign scenario the sweep tests vary (400 users, 120 days).
enum SweepFixture {
    static let file = Repository.path("Tests/Fixtures/sweep/small-campaigns.yaml")
    static var text: String { (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }

    /// The fixture with one value set by the override, read as a scenario.
    static func scenario(_ override: String) throws -> Scenario {
        let (path, value) = try #require(split(override))
        var root = try #require(try YAMLInput.root(of: text, file: "small.yaml"))
        try ScenarioOverride(path: try ScenarioOverride.path(path), value: value).apply(to: &root)
        return try ScenarioLoader.scenario(from: root, source: text, file: "small.yaml")
    }

    /// The message of the error setting `override` gives.
    static func overrideError(_ override: String) throws -> String {
        let (path, value) = try #require(split(override))
        var root = try #require(try YAMLInput.root(of: text, file: "small.yaml"))
        do {
            try ScenarioOverride(path: try ScenarioOverride.path(path), value: value).apply(to: &root)
        } catch {
            return error.description
        }
        Issue.record("\(override) was accepted")
        return ""
    }

    static func split(_ text: String) -> (String, String)? {
        guard let i = text.firstIndex(of: "=") else { return nil }
        return (String(text[..<i]), String(text[text.index(after: i)...]))
    }

    /// The fixture's text with `old` replaced by `new` in the first place after `anchor`, failing when either is
    /// missing: a variant built by hand, without the override code.
    static func edited(_ text: String, after anchor: String, _ old: String, _ new: String) throws -> String {
        let start = try #require(text.range(of: anchor)).upperBound
        let range = try #require(text.range(of: old, range: start..<text.endIndex))
        return text.replacingCharacters(in: range, with: new)
    }
}

@Suite("Sweep: path overrides")
struct SweepOverrideTests {
    static func policy(_ s: Scenario, _ name: String) throws -> Policy {
        try #require(s.spec.interventions?.policies.first { $0.name == name })
    }

    @Test("a list element is found by its name, and only it changes")
    func namedElement() throws {
        let s = try SweepFixture.scenario("interventions.policies.dormant_email.cooldown_days=7")
        #expect(try Self.policy(s, "dormant_email").cooldownDays == 7)
        #expect(try Self.policy(s, "declining_email").cooldownDays == 14)
    }

    @Test("a number picks a list element by position, through a named one")
    func index() throws {
        let s = try SweepFixture.scenario("interventions.policies.csm_call.effect.transitions.0.change=0.5")
        let effects = try Self.policy(s, "csm_call").effects
        #expect(effects.map(\.relativeChange) == [0.5, -0.5, -0.5, 1.5])
        let byIndex = try SweepFixture.scenario("interventions.policies.3.effect.transitions.3.change=2.5")
        #expect(try Self.policy(byIndex, "csm_call").effects.map(\.relativeChange) == [1.5, -0.5, -0.5, 2.5])
    }

    @Test("a key the mapping does not have is created; a nested mapping key is set")
    func createdLeaf() throws {
        let s = try SweepFixture.scenario("interventions.policies.dormant_push.cooldown_days=9")
        #expect(try Self.policy(s, "dormant_push").cooldownDays == 9)
        let capped = try SweepFixture.scenario("interventions.channels.email.cap.messages=5")
        #expect(capped.spec.interventions?.channels[Channel.email.index].capMessages == 5)
    }

    @Test(
        "a path that leads nowhere is refused, naming the path",
        arguments: [
            ("interventions.polices.dormant_email.cooldown_days=7", "has no key 'polices'; did you mean 'policies'?"),
            ("interventions.policies.dormant_mail.cooldown_days=7", "no element named 'dormant_mail'"),
            ("interventions.policies.csm_call.effect.transitions.9.change=1", "has 4 elements, so no element 9"),
            ("interventions.policies.csm_call.effect.missing.change=1", "has no key 'missing'"),
            ("interventions.outcome_days.days=3", "'interventions.outcome_days' is '21', not a mapping or a list"),
            ("interventions.channels.email.cap=3", "'interventions.channels.email.cap' is a mapping"),
            ("interventions.channels.email.cap.messages=[1, 2]", "the value is a list"),
            ("features.reports=1", "is a list without names"),
        ])
    func pathErrors(_ override: String, _ expected: String) throws {
        let message = try SweepFixture.overrideError(override)
        #expect(message.contains(expected), "\(message)")
        #expect(message.hasPrefix("--vary interventions.") || message.hasPrefix("--vary features."))
    }

    @Test("a bad value is caught by validation at its place, naming the variant; nothing runs")
    func badValueNamesVariant() throws {
        let options = SweepOptions(
            scenario: SweepFixture.file,
            vary: ["interventions.policies.dormant_email.cooldown_days=7,-3", "interventions.fatigue.windw_days=9"],
            outDirectory: "unused")
        var lines: [String] = []
        do {
            _ = try SweepPlan.make(options, text: SweepFixture.text)
            Issue.record("the sweep was planned")
        } catch let error as SweepVariantError {
            lines = error.lines
            #expect(error.exitStatus == 2)
        }
        // Where `cooldown_days: 14` of dormant_email sits in the fixture.
        let fileLines = SweepFixture.text.split(separator: "\n", omittingEmptySubsequences: false)
        let policy = try #require(fileLines.firstIndex { $0.contains("name: dormant_email") })
        let lineOf = try #require(fileLines[policy...].firstIndex { $0.contains("cooldown_days") }) + 1
        let bad = lines.filter { $0.contains("cooldown_days: must") }
        #expect(bad.count == 1, "\(lines)")
        #expect(bad.first?.hasPrefix("\(SweepFixture.file):\(lineOf):") == true, "\(bad)")
        #expect(bad.first?.contains("interventions.policies[1].cooldown_days") == true, "\(bad)")
        #expect(
            bad.first?.hasSuffix(
                "(variant interventions.policies.dormant_email.cooldown_days=-3, "
                    + "interventions.fatigue.windw_days=9)") == true, "\(bad)")
        // The misspelt key was created (its parent exists) and validation names it, in both variants.
        let unknown = lines.filter { $0.contains("windw_days: unknown key") }
        #expect(unknown.count == 2, "\(lines)")
        #expect(unknown.allSatisfy { $0.contains("(variant interventions.policies.dormant_email.cooldown_days=") })
    }

    @Test(
        "a --vary that cannot make a grid is refused",
        arguments: [
            ("interventions.outcome_days", "no '=' found"),
            ("interventions.outcome_days=14,,21", "an empty value"),
            ("interventions.outcome_days=14,14", "given twice"),
            ("interventions..outcome_days=14", "dotted keys"),
        ])
    func badVary(_ vary: String, _ expected: String) throws {
        do {
            _ = try SweepPlan.axes([vary])
            Issue.record("accepted \(vary)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }
}

@Suite("Sweep: a small grid end to end")
struct SweepRunTests {
    static let vary = [
        "interventions.policies.dormant_email.effect.transitions.0.change=0.5,3",
        "interventions.policies.dormant_email.cooldown_days=7,28",
    ]
    static let budget = 5.0

    static func sweep(threads: Int, out: URL) throws -> SweepOutcome {
        try Workbench.sweep(
            SweepOptions(
                scenario: SweepFixture.file, vary: vary, replicates: 2, budget: budget, threads: threads,
                outDirectory: out.path))
    }

    static func files(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let names = try FileManager.default.subpathsOfDirectory(atPath: folder.path)
        for name in names.sorted() {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
            if exists, !isDirectory.boolValue { out[name] = try Data(contentsOf: folder.appendingPathComponent(name)) }
        }
        return out
    }

    /// The fixture with the grid point's values written into its text by hand.
    static func variantText(change: String, cooldown: String) throws -> String {
        let text = try SweepFixture.edited(
            SweepFixture.text, after: "- name: dormant_email", "cooldown_days: 14", "cooldown_days: \(cooldown)")
        return try SweepFixture.edited(
            text, after: "- name: dormant_email", "{from: lapsed, to: exploring, change: 1.5}",
            "{from: lapsed, to: exploring, change: \(change)}")
    }

    @Test("2 × 2 grid, 2 seeds: the same bytes at 1 and 2 threads, each point its own experiment, the budget choice")
    func smallGrid() throws {
        let root = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let clock = ContinuousClock()
        var outcome: SweepOutcome?
        let elapsed = try clock.measure {
            outcome = try Self.sweep(threads: 1, out: root.appendingPathComponent("one"))
        }
        print("sweep of 4 points × 2 seeds at 1 thread: \(elapsed)")
        let two = try Self.sweep(threads: 2, out: root.appendingPathComponent("two"))
        let one = try #require(outcome)

        let a = try Self.files(root.appendingPathComponent("one"))
        let b = try Self.files(root.appendingPathComponent("two"))
        #expect(a.keys.sorted() == b.keys.sorted())
        for name in ["sweep.json", "sweep.csv", "sweep.html", "sweep.md", "figures/frontier-cost.svg"] {
            #expect(a[name] != nil && a[name] == b[name], "\(name) differs between 1 and 2 threads")
        }
        #expect(two.results.points.count == 4)

        // sweep.json reads back as the results, with its schema version.
        let json = try #require(a["sweep.json"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let read = try decoder.decode(SweepResults.self, from: json)
        #expect(read.schemaVersion == SweepResults.currentSchemaVersion)
        #expect(String(decoding: json, as: UTF8.self).contains("\"schema_version\" : 1"))
        #expect(
            read.points.map { $0.settings.map(\.value) } == [["0.5", "7"], ["0.5", "28"], ["3", "7"], ["3", "28"]])

        // Each point's runs are what `Workbench.experiment` gives for that variant, written by hand.
        for p in read.points {
            let text = try Self.variantText(change: p.settings[0].value, cooldown: p.settings[1].value)
            let scenario = try ScenarioLoader.parse(yaml: text, file: "variant.yaml")
            for (r, seed) in read.seeds.enumerated() {
                var spec = scenario.spec
                spec.seed = seed
                let e = try #require(try Workbench.experiment(scenario, spec: spec, threads: 1))
                #expect(e.comparisons.map(\.arm) == p.arms.map(\.arm))
                for (c, arm) in zip(e.comparisons, p.arms) {
                    let m = try #require(c.metrics.first { $0.metric == e.primaryMetric })
                    let run = arm.runs[r]
                    #expect(run.seed == seed)
                    #expect(run.lift == m.absoluteLift && run.lower == m.lower && run.upper == m.upper)
                    #expect(run.pValue == m.pValue && run.trueEffect.value == m.trueEffect)
                    #expect(run.treatedIndexed == c.treatmentIndexed && run.treatedObserved == m.treatment.users)
                    #expect(run.cost == c.cost)
                    let campaigns = e.campaigns.filter { $0.arms.contains(c.arm) }
                    #expect(run.sends == campaigns.reduce(0) { $0 + $1.sends })
                    #expect(run.unsubscribes == campaigns.reduce(0) { $0 + $1.unsubscribes })
                    // The second seed adds the across-seed mean; the first seed's lift is the measured figure.
                    #expect(arm.measured.value == arm.runs[0].lift)
                    let incremental = arm.runs.map { $0.trueEffect.value * Double($0.treatedIndexed) }
                    #expect(abs(arm.incrementalTrue.value - incremental.reduce(0, +) / 2) < 1e-9)
                }
            }
        }
        #expect(read.seeds.count == 2)

        // The budget choice, by hand: the most true incremental users among the settings within the budget.
        let settings = read.points.flatMap { p in p.arms.map { (p.index, $0) } }
        let within = settings.filter { $0.1.cost <= Self.budget }
        #expect(within.count == one.results.budget?.withinBudget)
        #expect(!within.isEmpty && within.count < settings.count, "choose a budget that leaves some settings out")
        let best = within.filter { $0.1.incrementalTrue.value > 0 }.max {
            ($0.1.incrementalTrue.value, -$0.1.cost, -$0.0) < ($1.1.incrementalTrue.value, -$1.1.cost, -$1.0)
        }
        let byMeasured = within.filter { $0.1.incrementalMeasured.value > 0 }.max {
            ($0.1.incrementalMeasured.value, -$0.1.cost, -$0.0) < ($1.1.incrementalMeasured.value, -$1.1.cost, -$1.0)
        }
        #expect(read.budget?.byTrue == best.map { SweepResults.SettingRef(point: $0.0, arm: $0.1.arm) })
        #expect(read.budget?.byMeasured == byMeasured.map { SweepResults.SettingRef(point: $0.0, arm: $0.1.arm) })
        let md = String(decoding: try #require(a["sweep.md"]), as: UTF8.self)
        if let chosen = read.budget?.byTrue { #expect(md.contains("**#\(chosen.point) \(chosen.arm) (")) }
    }

    @Test("the sweep's own run of a variant is `Workbench.experiment`'s, result for result")
    func sameAsExperiment() throws {
        let scenario = try ScenarioLoader.parse(
            yaml: try Self.variantText(change: "3", cooldown: "28"), file: "variant.yaml")
        let mine = try Workbench.sweepReplicate(scenario, spec: scenario.spec)
        let theirs = try #require(try Workbench.experiment(scenario, spec: scenario.spec, threads: 1))
        #expect(try ResultsFile.encode(mine.experiment) == (try ResultsFile.encode(theirs)))
        #expect(
            zip(mine.trueEffects, theirs.comparisons).allSatisfy { t, c in
                t.mean == c.metrics.first { $0.metric == theirs.primaryMetric }?.trueEffect
            })
    }

    @Test("bad input writes nothing and a folder of the user's is refused")
    func nothingWrittenOnBadInput() throws {
        let root = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("out")
        #expect(throws: SweepVariantError.self) {
            _ = try Workbench.sweep(
                SweepOptions(
                    scenario: SweepFixture.file, vary: ["interventions.outcome_days=-1"], outDirectory: out.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: out.appendingPathComponent("notes.txt"))
        do {
            _ = try Workbench.sweep(
                SweepOptions(
                    scenario: SweepFixture.file, vary: ["interventions.outcome_days=14"], outDirectory: out.path))
            Issue.record("a folder of the user's was accepted")
        } catch let error as RunError {
            #expect(error.exitStatus == 2)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["notes.txt"])
    }
}
