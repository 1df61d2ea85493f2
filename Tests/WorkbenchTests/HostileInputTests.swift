import Foundation
import Testing
import UsageModel
import YAMLInput

@testable import Workbench

#if canImport(Glibc)
    import Glibc
#endif

/// Invariant 5 against inputs a hostile or careless user could hand over: each case is one defect
/// found by trying such inputs on the command line, and asserts the exit status, the place the
/// message names, and that nothing the user had was lost and nothing was left behind.
@Suite("Hostile and broken input", .serialized)
struct HostileInputTests {
    // MARK: - Fixtures

    static let defaultScenario: String = {
        (try? String(contentsOfFile: Repository.path("scenarios/saas-default.yaml"), encoding: .utf8)) ?? ""
    }()
    static let exampleLog: String = {
        (try? String(contentsOfFile: Repository.path("scenarios/example-events.csv"), encoding: .utf8)) ?? ""
    }()
    static let taxonomy = Repository.path("scenarios/example-taxonomy.yaml")

    /// The default scenario with `old` replaced, and the 1-based line where the replacement starts.
    static func scenario(replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation)
        -> (text: String, line: Int)
    {
        guard let range = defaultScenario.range(of: old) else {
            Issue.record("the default scenario has no '\(old)'", sourceLocation: sourceLocation)
            return (defaultScenario, 0)
        }
        let line = defaultScenario[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        return (defaultScenario.replacingCharacters(in: range, with: new), line)
    }

    /// Runs the command line in `folder`, killed after `seconds` so a hang fails the test instead of the suite.
    static func run(_ arguments: [String], in folder: URL, seconds: Double = 60) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try Repository.runCLI(arguments, in: folder, seconds: seconds)
    }

    static func write(_ text: String, to name: String, in folder: URL) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    static func entries(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    // MARK: - 1. --out never deletes what is there

    @Test("--out refuses a folder of the user's, the current folder and a file, and leaves them as they were")
    func outputNeverReplacesUserFiles() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = Repository.path("scenarios/saas-default.yaml")
        let project = folder.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try Self.write("keep me\n", to: "notes.txt", in: project)
        try Self.write("a file\n", to: "somefile", in: folder)
        let small = ["--users", "200", "--days", "30"]

        let intoProject = try Self.run(["run", scenario, "--out", "project"] + small, in: folder)
        #expect(intoProject.status == 2)
        #expect(intoProject.stderr.contains("--out project: the folder holds 1 entry that SegmentLab did not write"))
        #expect(try Self.entries(project) == ["notes.txt"])

        let intoCurrent = try Self.run(["run", scenario, "--out", "."] + small, in: project)
        #expect(intoCurrent.status == 2)
        #expect(intoCurrent.stderr.contains("--out .: the folder holds"))
        #expect(try String(contentsOf: project.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep me\n")

        let events = Repository.path("scenarios/example-events.csv")
        for command in [["segment"], ["evaluate", "--cutoff", "2026-02-01"]] {
            let intoFile = try Self.run(
                command + ["--events", events, "--taxonomy", Self.taxonomy, "--out", "somefile"], in: folder)
            #expect(intoFile.status == 2, "\(command)")
            #expect(intoFile.stderr.contains("--out somefile: a file of that name exists"), "\(command)")
        }
        #expect(try String(contentsOf: folder.appendingPathComponent("somefile"), encoding: .utf8) == "a file\n")

        let log = try Self.run(["simulate", scenario, "--events-out", "somefile.csv"] + small, in: folder)
        #expect(log.status == 0)
        let again = try Self.run(["simulate", scenario, "--events-out", "somefile.csv"] + small, in: folder)
        #expect(again.status == 2)
        #expect(again.stderr.contains("--events-out: somefile.csv exists"))

        // An earlier run's folder (it carries the marker) is replaced, and an empty folder is used.
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        for target in ["report", "report", "empty"] {
            let done = try Self.run(["run", scenario, "--out", target] + small, in: folder)
            #expect(done.status == 0, "\(target): \(done.stderr)")
        }
        #expect(try Self.entries(folder) == ["empty", "project", "report", "somefile", "somefile.csv"])
        #expect(try Self.entries(project) == ["notes.txt"])
    }

    // MARK: - 2. A far-off timestamp

    @Test(
        "a log whose dates span millennia is refused before anything is allocated, naming the outlying line",
        arguments: [("9999-12-31T23:59:59Z", "9999-12-31"), ("100000000000", "5138-11-16")])
    func farTimestamp(_ timestamp: String, _ date: String) throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = Self.exampleLog.split(separator: "\n").count
        try Self.write(
            Self.exampleLog + "u0000001,a000001,session_started,\(timestamp),,{}\n", to: "far.csv", in: folder)
        let result = try Self.run(["segment", "--events", "far.csv", "--taxonomy", Self.taxonomy], in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("to \(date) (far.csv:\(lines + 1))"), "\(result.stderr)")
        #expect(try Self.entries(folder) == ["far.csv"])

        // Choosing the days skips and counts the outlier instead.
        let chosen = try Self.run(
            ["segment", "--events", "far.csv", "--taxonomy", Self.taxonomy, "--as-of", "2026-03-31", "--out", "out"],
            in: folder)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stderr.contains("after the end date            1"), "\(chosen.stderr)")
    }

    // MARK: - 3 and 6. Numbers validate only if the run can use them

    @Test(
        "numbers that used to crash or fail a run are refused by validate at their place",
        arguments: [
            (
                "median: 25, sigma: 0.8", "median: 1e19, sigma: 0.8",
                "personas[2].team_size.median: must be in (0, 1000000]"
            ),
            (
                "median: 25, sigma: 0.8", "median: 1e308, sigma: 0.8",
                "personas[2].team_size.median: must be in (0, 1000000]"
            ),
            ("median: 25, sigma: 0.8", "median: 25, sigma: 1000", "personas[2].team_size.sigma: must be in [0, 10]"),
            (
                "delay_hours: {median: 4,", "delay_hours: {median: 1e20,",
                "data_quality.late_events.delay_hours.median: must be in (0, 8760]"
            ),
            ("cost: 0.01", "cost: 1e19", "interventions.policies[1].cost: must be in [0, 1000000]"),
            ("cost: 0.01", "cost: 1e308", "interventions.policies[1].cost: must be in [0, 1000000]"),
            ("mean: 5, max: 30", "mean: 1e308, max: 30", "personas[1].team_size.mean: must be in [1, 1000000]"),
            ("mean: 1.2, dispersion", "mean: 1e308, dispersion", "sessions.mean: must be in (0, 1000]"),
            ("weekday: [1.22,", "weekday: [1e308,", "modifiers.weekday[0]: must be in [0, 100]"),
        ])
    func boundedNumbers(_ old: String, _ new: String, _ message: String) throws {
        let (text, line) = Self.scenario(replacing: old, with: new)
        let problems = scenarioProblems(in: text)
        #expect(problems.contains { $0.line == line && $0.description.contains(message) }, "\(problems)")
    }

    @Test("validate rejects what run would fail on, with exit status 2 and nothing written")
    func validateAgreesWithRun() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (text, line) = Self.scenario(replacing: "median: 25, sigma: 0.8", with: "median: 1e19, sigma: 0.8")
        try Self.write(text, to: "bad.yaml", in: folder)
        for command in ["validate", "run"] {
            let result = try Self.run([command, "bad.yaml"], in: folder)
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("bad.yaml:\(line):"), "\(result.stderr)")
        }
        #expect(try Self.entries(folder) == ["bad.yaml"])
    }

    @Test("fixed-point formatting takes any finite double")
    func formatsHugeNumbers() {
        #expect(DecimalText.fixed(1e19, 2) == "10000000000000000000.00")
        #expect(DecimalText.fixed(-1e300, 0).count == 302)
        #expect(DecimalText.fixed(-1e300, 0).hasPrefix("-1000000000"))
        #expect(DecimalText.fixed(1234.5678, 2) == "1234.57")
    }

    // MARK: - 4, 10, 13. YAML that hangs, is not UTF-8, or carries tags

    static func billionLaughs(asKey: Bool) -> String {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x]"]
        for i in 1..<10 {
            lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 7).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + (asKey ? "\n? *a9\n: 1\n" : "\nboom: *a9\n")
    }

    static func mergeBomb() -> String {
        var lines = ["m0: &m0 {k0: 1, k1: 2}"]
        for i in 1..<24 { lines.append("m\(i): &m\(i)\n  <<: [*m\(i - 1), *m\(i - 1)]\n  x\(i): 1") }
        return lines.joined(separator: "\n") + "\nname: x\n<<: *m23\n"
    }

    @Test("alias bombs are refused at the alias that crosses the limit, in scenarios, segments files and taxonomies")
    func aliasBombs() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String, String)] = [
            ("key.yaml", Self.billionLaughs(asKey: true), ":7:"),
            ("value.yaml", Self.billionLaughs(asKey: false), ":7:"),
            ("merge.yaml", Self.mergeBomb(), ":"),
        ]
        for (name, text, place) in cases {
            try Self.write(text, to: name, in: folder)
            for command in [["validate", name], ["segment", "--events", "x.csv", "--taxonomy", name]] {
                let result = try Self.run(command, in: folder, seconds: 30)
                #expect(result.status == 2, "\(command)")
                #expect(result.stderr.contains("\(name)\(place)"), "\(command): \(result.stderr)")
                #expect(result.stderr.contains("expands the document past"), "\(command): \(result.stderr)")
            }
        }
    }

    @Test("invalid UTF-8 and YAML tags are reported at their line and column")
    func encodingAndTags() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = Array(Self.defaultScenario.utf8)
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        bytes.insert(contentsOf: [0x41, 0xFF, 0xFE], at: lineStarts[20] + 4)  // line 21, after 4 characters
        try Data(bytes).write(to: folder.appendingPathComponent("bytes.yaml"))
        let taxonomy = try String(contentsOfFile: Self.taxonomy, encoding: .utf8)
        try Data(Array("# x\n# y\n".utf8) + [0xC3, 0x28] + Array(taxonomy.utf8)).write(
            to: folder.appendingPathComponent("taxonomy.yaml"))
        let (tagged, line) = Self.scenario(replacing: "days: 365", with: "days: !days 365")
        try Self.write(tagged, to: "tagged.yaml", in: folder)

        let notUTF8 = try Self.run(["validate", "bytes.yaml"], in: folder)
        #expect(notUTF8.status == 2)
        #expect(notUTF8.stderr.contains("bytes.yaml:21:6: not UTF-8 text"), "\(notUTF8.stderr)")
        let badTaxonomy = try Self.run(["segment", "--events", "x.csv", "--taxonomy", "taxonomy.yaml"], in: folder)
        #expect(badTaxonomy.status == 2)
        #expect(badTaxonomy.stderr.contains("taxonomy.yaml:3:1: not UTF-8 text"), "\(badTaxonomy.stderr)")
        let tag = try Self.run(["validate", "tagged.yaml"], in: folder)
        #expect(tag.status == 2)
        #expect(
            tag.stderr.contains("tagged.yaml:\(line):7: YAML tags are not used here; remove the tag '!days'"),
            "\(tag.stderr)")
        #expect(try Self.entries(folder) == ["bytes.yaml", "tagged.yaml", "taxonomy.yaml"])
    }

    // MARK: - 5. Statistics that cannot be computed do not stop the report

    @Test(
        "a run too short for the log-rank test reports it as not computable and writes everything else",
        arguments: [
            ["scenarios/saas-default.yaml", "--days", "20", "--users", "2000"],
            ["scenarios/saas-default.yaml", "--users", "500", "--days", "30", "--seed", "3"],
            ["scenarios/reengagement.yaml", "--users", "2000", "--days", "60"],
        ])
    func notComputable(_ arguments: [String]) throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let result = try Repository.runCLI(["run"] + arguments + ["--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(markdown.contains("not computable on this run: insufficient data"))
        if arguments.contains("20") {
            // Nobody was followed for 30 days: no retention at day 30 or 90 is claimed.
            #expect(markdown.contains("| campaigns | – | – | – | – | – | not computable |"), "\(markdown)")
        }
        let json = try String(contentsOfFile: out + "/results.json", encoding: .utf8)
        #expect(json.contains("\"log_rank_not_computable\""))
    }

    // MARK: - 7. Markdown injection

    @Test("a scenario's text cannot close the code block or open a link in report.md")
    func markdownInjection() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostile =
            "description: |-\n  A ```` fence\n  ```\n  <img src=x onerror=alert(1)>\n  [x](javascript:alert(1))\n"
        let original = try #require(
            Self.defaultScenario.range(of: #"description: >-\n(  .*\n)+"#, options: .regularExpression))
        let fixed = Self.defaultScenario.replacingCharacters(in: original, with: hostile)
        try Self.write(fixed, to: "hostile.yaml", in: folder)
        let result = try Self.run(
            ["run", "hostile.yaml", "--users", "300", "--days", "30", "--out", "out"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let markdown = try String(contentsOfFile: folder.appendingPathComponent("out/report.md").path, encoding: .utf8)
        // Outside fenced blocks (CommonMark: closed by a fence at least as long), no raw HTML and no link.
        var fence: Int?
        var outside: [String] = []
        var sawScenarioBlock = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let ticks = line.prefix { $0 == "`" }.count
            if let open = fence {
                if ticks >= open, line.allSatisfy({ $0 == "`" }) { fence = nil }
                if line.contains("<img src=x") { sawScenarioBlock = true }
            } else if ticks >= 3 {
                fence = ticks
            } else {
                outside.append(String(line))
            }
        }
        #expect(sawScenarioBlock)
        #expect(fence == nil)
        #expect(!outside.contains { $0.contains("<img") })
        // The only links are the report's own figures.
        let links = outside.filter { $0.range(of: #"(?<!\\)\]\("#, options: .regularExpression) != nil }
        #expect(!links.isEmpty)
        for line in links {
            #expect(
                line.range(of: #"^!\[[^\]]*\]\(figures/[a-z0-9-]+\.svg\)$"#, options: .regularExpression) != nil,
                "\(line)")
        }
    }

    // MARK: - 8. Spreadsheet formulas

    /// RFC 4180 records of a CSV file (quoted fields, doubled quotes).
    static func records(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(c)
            }
        }
        return rows
    }

    @Test("ids that a spreadsheet would run as formulas are neutralised, and recoverable exactly")
    func formulaInjection() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ids = [
            "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1", "-2+3", "'quoted", "-42",
        ]
        var log = "user_id,account_id,event,timestamp\n"
        for (i, id) in ids.enumerated() {
            let field = "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            log += "\(field),\(field),signed_up,2026-01-0\(i + 1)T10:00:00Z\n"
            log += "\(field),\(field),session_started,2026-01-0\(i + 1)T10:00:00Z\n"
        }
        try Self.write(log, to: "ids.csv", in: folder)
        let result = try Self.run(
            ["segment", "--events", "ids.csv", "--taxonomy", Self.taxonomy, "--out", "out"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = Self.records(
            try String(contentsOfFile: folder.appendingPathComponent("out/memberships.csv").path, encoding: .utf8))
        #expect(rows.first == ["user_id", "account_id", "date", "segment", "tags"])
        var seen = Set<String>()
        for row in rows.dropFirst() {
            for cell in row.prefix(2) {
                if let first = cell.first, "=+-@\t\r".contains(first) {
                    #expect(cell == "-42", "a cell starts with a formula character: \(cell)")
                }
            }
            seen.insert(row[0].first == "'" ? String(row[0].dropFirst()) : row[0])
        }
        #expect(seen == Set(ids))
    }

    // MARK: - 9. Signals and leftovers

    @Test("SIGINT and SIGTERM remove what a run staged and exit with 130 and 143; stale partial files are cleaned")
    func signals() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = Repository.path("scenarios/saas-default.yaml")
        // A stale partial file of a process that no longer runs (pid numbers stop below 2^22 on Linux).
        try Self.write("half a log", to: ".events.csv.partial-4999999", in: folder)
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            // Interrupted while the log is being written.
            let result = try Self.interrupt(
                ["simulate", scenario, "--users", "3000", "--events-out", "events.csv"], in: folder, with: signal,
                once: { ".events.csv.partial-\($0)" })
            #expect(result == status)
            let left = try Self.entries(folder)
            #expect(left == [], "left behind: \(left)")
        }
        // Interrupted while a report folder is staged (for about a tenth of a second at the end of this run).
        let result = try Self.interrupt(
            ["run", scenario, "--users", "3000", "--days", "150", "--out", "out"], in: folder, with: SIGTERM,
            once: { ".out.partial-\($0)" })
        #expect(result == 143)
        let left = try Self.entries(folder)
        #expect(left == [], "left behind: \(left)")
    }

    /// Starts the command line in `folder`, sends `signal` as soon as the entry `once(pid)` appears
    /// there, and returns the exit status.
    static func interrupt(_ arguments: [String], in folder: URL, with signal: Int32, once entry: (Int32) -> String)
        throws -> Int32
    {
        let process = Process()
        process.executableURL = Repository.segmentlab
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let name = entry(process.processIdentifier)
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline, !(try entries(folder)).contains(name) {
            Thread.sleep(forTimeInterval: 0.001)
        }
        #expect(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    // MARK: - 11, 12. Floods of problems and terminal escapes

    @Test("a scenario with thousands of problems lists the first 50 and counts the rest")
    func problemCap() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.write((0..<5000).map { "k\($0): 1\n" }.joined(), to: "many.yaml", in: folder)
        let result = try Self.run(["validate", "many.yaml"], in: folder)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 51)
        #expect(lines.last == "many.yaml: … and 4957 more problems")
    }

    @Test("control characters from a log are printed escaped")
    func terminalEscapes() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let evil = "\u{1B}]0;pwned\u{07}evil\u{1B}[31m"
        try Self.write(
            Self.exampleLog + "u0000001,a000001,\(evil),2026-01-06T00:00:00Z,,{}\n", to: "log.csv", in: folder)
        let result = try Self.run(
            ["segment", "--events", "log.csv", "--taxonomy", Self.taxonomy, "--out", "out"], in: folder)
        #expect(result.status == 0)
        #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(result.stderr.contains(#"\x1b]0;pwned\x07evil\x1b[31m"#))
    }
}
