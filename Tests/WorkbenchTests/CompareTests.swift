import Foundation
import Testing
import Workbench

/// Three small runs of the default scenario, made once for the suite: A (seed 1), B (seed 2, with a third
/// arm that sends only the invite nudge) and C (seed 3, no interventions and segments of its own).
enum CompareRuns {
    struct Folders: Sendable {
        let root: URL
        let a: String
        let b: String
        let c: String
    }

    static let made: Result<Folders, any Error> = Result {
        let root = try Repository.temporaryFolder()
        let text = try String(contentsOfFile: Repository.path("scenarios/saas-default.yaml"), encoding: .utf8)
        let arms = "      - {name: campaigns, policies: [invite_nudge, winback_email]}\n"
        #expect(text.contains(arms), "the default scenario's arms changed; update the fixture")
        let withNudgeArm = text.replacingOccurrences(
            of: arms, with: arms + "      - {name: nudge_only, policies: [invite_nudge]}\n")
        let marker = "\ninterventions:\n"
        #expect(text.contains(marker))
        let withoutInterventions =
            String(text[..<text.range(of: marker)!.lowerBound]) + "\n"
                + """
                segmentation:
                  segments:
                    - {name: dormant, when: "days_since_session >= 14"}
                    - {name: quiet, when: "active_days_7 < 2"}
                    - {name: busy, when: "true"}

                """
        var folders: [String] = []
        for (name, yaml, seed) in [("a", text, 1), ("b", withNudgeArm, 2), ("c", withoutInterventions, 3)] {
            let scenario = try ScenarioLoader.parse(yaml: yaml, file: "\(name).yaml")
            let outcome = try Workbench.run(
                scenario,
                options: RunOptions(
                    seed: UInt64(seed), users: 1_500, days: 60, threads: 2,
                    outDirectory: root.appendingPathComponent(name).path))
            folders.append(outcome.directory)
        }
        return Folders(root: root, a: folders[0], b: folders[1], c: folders[2])
    }

    static func folders() throws -> Folders { try made.get() }
}

/// JSON read without the project's types, so the checks do not share the code they check.
typealias JSONObject = [String: Any]

func readJSON(_ path: String) throws -> JSONObject {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? JSONObject)
}

func number(_ x: Any?) -> Double? { (x as? NSNumber)?.doubleValue }

extension JSONObject {
    func object(_ key: String) -> JSONObject? { self[key] as? JSONObject }
    func objects(_ key: String) -> [JSONObject] { self[key] as? [JSONObject] ?? [] }
}

@Suite("Comparing two runs")
struct CompareTests {
    /// z(0.975) to double precision (Abramowitz and Stegun 26.2.23 refined; R's qnorm(0.975)).
    static let z975 = 1.959963984540054

    /// A fresh output folder beside the runs.
    static func outFolder() throws -> String {
        try CompareRuns.folders().root.appendingPathComponent("out-\(UUID().uuidString)").path
    }

    /// The standard error behind a lift, from its two groups in `results.json`.
    static func standardError(_ lift: JSONObject) throws -> Double {
        let t = try #require(lift.object("treatment"))
        let c = try #require(lift.object("control"))
        let n1 = try #require(number(t["users"]))
        let n0 = try #require(number(c["users"]))
        if lift["kind"] as? String == "proportion" {
            let p1 = try #require(number(t["successes"])) / n1
            let p0 = try #require(number(c["successes"])) / n0
            return (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0).squareRoot()
        }
        let s1 = try #require(number(t["standard_deviation"]))
        let s0 = try #require(number(c["standard_deviation"]))
        return (s1 * s1 / n1 + s0 * s0 / n0).squareRoot()
    }

    static func close(_ x: Double?, _ y: Double?, _ tolerance: Double = 1e-9) -> Bool {
        guard let x, let y else { return x == nil && y == nil }
        return abs(x - y) <= tolerance * max(1, abs(y))
    }

    @Test("compare.json holds B − A of the summary, segments, lifts and campaigns of both results.json")
    func numbersMatch() throws {
        let runs = try CompareRuns.folders()
        let out = try Self.outFolder()
        _ = try Workbench.compare(runs.a, runs.b, outDirectory: out)
        let a = try readJSON(runs.a + "/results.json")
        let b = try readJSON(runs.b + "/results.json")
        let compare = try readJSON(out + "/compare.json")
        #expect(number(compare["schema_version"]) == 1)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
                "compare-figures", "compare.html", "compare.json", "compare.md",
            ])
        let differences = compare.objects("differences").compactMap { $0["setting"] as? String }
        #expect(differences.contains("seed"))
        #expect(differences.contains("experiment arms"))

        // The summary: every key of results.json's summary, with B − A.
        let summaryA = try #require(a.object("summary"))
        let summaryB = try #require(b.object("summary"))
        let measures = compare.objects("summary")
        #expect(Set(measures.compactMap { $0["measure"] as? String }) == Set(summaryA.keys))
        for m in measures {
            let key = try #require(m["measure"] as? String)
            let x = number(summaryA[key])
            let y = number(summaryB[key])
            #expect(Self.close(number(m["a"]), x), "\(key)")
            #expect(Self.close(number(m["b"]), y), "\(key)")
            if let x, let y { #expect(Self.close(number(m["difference"]), y - x), "\(key)") }
        }
        #expect(
            summaryA["signups"] as? Int != summaryB["signups"] as? Int
                || summaryA["sessions"] as? Int
                    != summaryB["sessions"] as? Int
        )

        // Segment sizes at the last evaluation.
        let lastA = try #require(a.object("segmentation")?.objects("evaluations").last?.object("sizes"))
        let lastB = try #require(b.object("segmentation")?.objects("evaluations").last?.object("sizes"))
        let final = try #require(compare.object("segments")).objects("final")
        #expect(!final.isEmpty)
        for s in final {
            let name = try #require(s["segment"] as? String)
            #expect(s["presence"] as? String == "both")
            #expect(s["same_rule"] as? Bool == true)
            let x = number(lastA[name]) ?? 0
            let y = number(lastB[name]) ?? 0
            #expect(number(s["a"]) == x && number(s["b"]) == y && number(s["difference"]) == y - x, "\(name)")
        }

        // Lifts: each comparison and metric of A matched with B's, the difference and its interval recomputed.
        let experiment = try #require(compare.object("experiment"))
        #expect(experiment["presence"] as? String == "both")
        let pairs = experiment.objects("comparisons")
        let comparisonsA = try #require(a.object("experiment")).objects("comparisons")
        let comparisonsB = try #require(b.object("experiment")).objects("comparisons")
        var checked = 0
        for c in comparisonsA {
            let arm = try #require(c["arm"] as? String)
            let other = try #require(comparisonsB.first { $0["arm"] as? String == arm })
            let pair = try #require(pairs.first { $0["arm"] as? String == arm })
            #expect(pair["presence"] as? String == "both")
            for liftA in c.objects("metrics") {
                let metric = try #require(liftA["metric"] as? String)
                let liftB = try #require(other.objects("metrics").first { $0["metric"] as? String == metric })
                let m = try #require(pair.objects("metrics").first { $0["metric"] as? String == metric })
                let d = try #require(m.object("difference"))
                let x = try #require(number(liftA["absolute_lift"]))
                let y = try #require(number(liftB["absolute_lift"]))
                #expect(Self.close(number(d["estimate"]), y - x), "\(arm) \(metric)")
                #expect(Self.close(number(m.object("a")?["lift"]), x))
                #expect(Self.close(number(m.object("b")?["upper"]), number(liftB["upper"])))
                let trueA = try #require(number(liftA["true_effect"]))
                let trueB = try #require(number(liftB["true_effect"]))
                #expect(Self.close(number(m["true_effect_difference"]), trueB - trueA))
                guard liftA["lower"] != nil, liftB["lower"] != nil, !(liftA["lower"] is NSNull),
                    !(liftB["lower"] is NSNull)
                else { continue }
                let seA = try Self.standardError(liftA)
                let seB = try Self.standardError(liftB)
                let se = (seA * seA + seB * seB).squareRoot()
                #expect(Self.close(number(d["standard_error"]), se), "\(arm) \(metric)")
                #expect(Self.close(number(d["lower"]), y - x - Self.z975 * se, 1e-7), "\(arm) \(metric)")
                #expect(Self.close(number(d["upper"]), y - x + Self.z975 * se, 1e-7), "\(arm) \(metric)")
                if liftA["kind"] as? String == "proportion" {
                    // The standard error is the one behind the run's own Wald interval.
                    let width = try #require(number(liftA["upper"])) - (try #require(number(liftA["lower"])))
                    #expect(Self.close(width / (2 * Self.z975), seA, 1e-7), "\(arm) \(metric)")
                }
                checked += 1
            }
        }
        #expect(checked > 0)
        // The arm only B has: listed with B's lifts alone.
        let nudge = try #require(pairs.first { $0["arm"] as? String == "nudge_only" })
        #expect(nudge["presence"] as? String == "only_b")
        for m in nudge.objects("metrics") {
            #expect(m["presence"] as? String == "only_b")
            #expect(m["a"] == nil && m["difference"] == nil && m.object("b") != nil)
        }

        // Campaigns per policy and in total.
        let campaigns = try #require(compare.object("campaigns"))
        let policiesA = try #require(a.object("experiment")).objects("campaigns")
        let policiesB = try #require(b.object("experiment")).objects("campaigns")
        for p in campaigns.objects("policies") {
            let name = try #require(p["policy"] as? String)
            let x = try #require(policiesA.first { $0["policy"] as? String == name })
            let y = try #require(policiesB.first { $0["policy"] as? String == name })
            let d = try #require(p.object("difference"))
            for key in ["sends", "unsubscribes", "triggered", "cost"] {
                let dx = try #require(number(x[key]))
                let dy = try #require(number(y[key]))
                #expect(Self.close(number(d[key]), dy - dx), "\(name) \(key)")
            }
        }
        for key in ["sends", "unsubscribes", "cost"] {
            let sumA = policiesA.compactMap { number($0[key]) }.reduce(0, +)
            let sumB = policiesB.compactMap { number($0[key]) }.reduce(0, +)
            #expect(Self.close(number(campaigns.object("total_a")?[key]), sumA))
            #expect(Self.close(number(campaigns.object("total_difference")?[key]), sumB - sumA))
        }

        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        #expect(html.contains("only in B"))
        #expect(html.contains("independent"))
        let markdown = try String(contentsOfFile: out + "/compare.md", encoding: .utf8)
        #expect(markdown.contains("compare-figures/segments.svg"))
        #expect(FileManager.default.fileExists(atPath: out + "/compare-figures/segments.svg"))
    }

    @Test("parts only one run has are listed as only in A or only in B")
    func onlyInOneRun() throws {
        let runs = try CompareRuns.folders()
        let out = try Self.outFolder()
        _ = try Workbench.compare(runs.a, runs.c, outDirectory: out)
        let compare = try readJSON(out + "/compare.json")
        let experiment = try #require(compare.object("experiment"))
        #expect(experiment["presence"] as? String == "only_a")
        #expect(experiment.objects("comparisons").allSatisfy { $0["presence"] as? String == "only_a" })
        let campaigns = try #require(compare.object("campaigns"))
        #expect(campaigns.objects("policies").map { $0["policy"] as? String } == ["invite_nudge", "winback_email"])
        #expect(campaigns.objects("policies").allSatisfy { $0["presence"] as? String == "only_a" && $0["b"] == nil })
        #expect(campaigns["total_b"] == nil && campaigns["total_difference"] == nil)

        let segments = try #require(compare.object("segments"))
        var presence: [String: String] = [:]
        for s in segments.objects("final") { presence[s["segment"] as! String] = s["presence"] as? String }
        #expect(presence["dormant"] == "both")
        let dormant = try #require(segments.objects("final").first { $0["segment"] as? String == "dormant" })
        #expect(dormant["same_rule"] as? Bool == false)
        #expect(presence["quiet"] == "only_b" && presence["busy"] == "only_b")
        #expect(presence["power"] == "only_a")
        #expect(segments.objects("over_time").map { $0["segment"] as? String } == ["dormant"])

        // And the other way round.
        let back = try Self.outFolder()
        _ = try Workbench.compare(runs.c, runs.a, outDirectory: back)
        let reversed = try readJSON(back + "/compare.json")
        #expect(reversed.object("experiment")?["presence"] as? String == "only_b")
        let html = try String(contentsOfFile: back + "/compare.html", encoding: .utf8)
        #expect(html.contains("only in A") && html.contains("only in B"))
        #expect(html.contains("Only run B has an experiment"))
    }

    @Test("a run compared with itself differs by zero everywhere")
    func selfComparison() throws {
        let runs = try CompareRuns.folders()
        let out = try Self.outFolder()
        _ = try Workbench.compare(runs.a, runs.a + "/results.json", outDirectory: out)
        let compare = try readJSON(out + "/compare.json")
        let settings = compare.objects("differences").compactMap { $0["setting"] as? String }
        #expect(settings.isEmpty)
        #expect(compare.objects("summary").allSatisfy { m in m["difference"] == nil || number(m["difference"]) == 0 })
        #expect(compare.object("segments")!.objects("final").allSatisfy { number($0["difference"]) == 0 })
        let metrics = compare.object("experiment")!.objects("comparisons").flatMap { $0.objects("metrics") }
        #expect(!metrics.isEmpty)
        for m in metrics {
            #expect(number(m.object("difference")?["estimate"]) == 0)
            #expect(number(m["true_effect_difference"]) == 0)
        }
        for p in compare.object("campaigns")!.objects("policies") {
            let d = try #require(p.object("difference"))
            #expect(["sends", "unsubscribes", "triggered", "cost"].allSatisfy { number(d[$0]) == 0 })
        }
    }

    @Test("writing into a folder with other files replaces only the comparison's own")
    func keepsOtherFiles() throws {
        let runs = try CompareRuns.folders()
        let out = try Self.outFolder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        _ = try Workbench.compare(runs.a, runs.b, outDirectory: out)
        _ = try Workbench.compare(runs.b, runs.a, outDirectory: out)
        #expect(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8) == "mine\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
                "compare-figures", "compare.html", "compare.json", "compare.md", "notes.txt",
            ])
        let compare = try readJSON(out + "/compare.json")
        #expect(compare.object("a")?["input"] as? String == runs.b)
    }

    @Test("bad input is exit status 2, names the file, and leaves nothing behind")
    func badInput() throws {
        let runs = try CompareRuns.folders()
        let scratch = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let fm = FileManager.default
        let empty = scratch.appendingPathComponent("empty").path
        try fm.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let corrupt = scratch.appendingPathComponent("corrupt").path
        try fm.createDirectory(atPath: corrupt, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: runs.a + "/results.json", encoding: .utf8)
        try Data(text.prefix(200).utf8).write(to: URL(fileURLWithPath: corrupt + "/results.json"))
        let future = scratch.appendingPathComponent("future").path
        try fm.createDirectory(atPath: future, withIntermediateDirectories: true)
        try Data(#"{"schema_version": 99}"#.utf8).write(to: URL(fileURLWithPath: future + "/results.json"))
        let missing = scratch.appendingPathComponent("missing").path
        let out = scratch.appendingPathComponent("out").path
        let before = try fm.contentsOfDirectory(atPath: runs.a).sorted()

        let cases: [([String], String)] = [
            (["compare", missing, runs.b, "--out", out], missing),
            (["compare", runs.a, empty, "--out", out], empty + "/results.json"),
            (["compare", corrupt, runs.b, "--out", out], corrupt + "/results.json"),
            (["compare", runs.a, future, "--out", out], future + "/results.json"),
            (["compare", runs.a, runs.b, "--out", runs.a], "--out " + runs.a),
            (["compare", runs.a, runs.b, "--out", runs.b + "/"], "run B"),
        ]
        for (arguments, named) in cases {
            let result = try Repository.runCLI(arguments, seconds: 120)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            #expect(result.stdout.isEmpty)
        }
        #expect(!fm.fileExists(atPath: out))
        #expect(try fm.contentsOfDirectory(atPath: scratch.path).sorted() == ["corrupt", "empty", "future"])
        #expect(try fm.contentsOfDirectory(atPath: runs.a).sorted() == before)
        #expect(!before.contains { $0.hasPrefix("compare") })

        // The same through the library: a RunError that says bad input.
        #expect {
            _ = try Workbench.compare(corrupt, runs.b, outDirectory: out)
        } throws: { error in
            guard case RunError.badInput(let message) = error else { return false }
            return message.hasPrefix(corrupt + "/results.json: not a SegmentLab results file")
        }
        #expect(!fm.fileExists(atPath: out))
    }

    @Test("the command line prints where the comparison went")
    func commandLine() throws {
        let runs = try CompareRuns.folders()
        let out = try Self.outFolder()
        let result = try Repository.runCLI(["compare", runs.a, runs.b, "--out", out], seconds: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("compare.html"))
        #expect(FileManager.default.fileExists(atPath: out + "/compare.html"))
    }
}
