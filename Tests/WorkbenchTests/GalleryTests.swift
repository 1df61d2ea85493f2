import Foundation
import Reports
import Testing
import Workbench

/// The committed example reports (`make reports`) must be what the code renders now from their
/// committed `results.json`; that a run still produces those results is checked at a reduced size
/// against a committed fixture (`RunTests`).
@Suite("The report gallery")
struct GalleryTests {
    /// Every scenario in `scenarios/` (taxonomies are not scenarios).
    static let scenarios: [String] = {
        let folder = Repository.path("scenarios")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".yaml") && !$0.contains("taxonomy") }.map { String($0.dropLast(5)) }
            .sorted()
    }()

    @Test("there is a gallery report for every scenario, linked from reports/README.md")
    func complete() throws {
        #expect(!Self.scenarios.isEmpty)
        let index = try String(contentsOfFile: Repository.path("reports/README.md"), encoding: .utf8)
        for name in Self.scenarios {
            #expect(
                FileManager.default.fileExists(atPath: Repository.path("reports/gallery/\(name)/report.html")),
                "\(name)")
            #expect(index.contains("(gallery/\(name)/report.html)"), "\(name)")
        }
    }

    @Test("every file of a gallery report renders again, byte for byte, from its results.json", arguments: scenarios)
    func rerender(_ name: String) throws {
        let folder = Repository.path("reports/gallery/\(name)")
        let contents = try Repository.results(in: folder)
        guard case .run(let results) = contents else {
            Issue.record("\(name): results.json decodes as another command's")
            return
        }
        #expect(results.scenario.name == name)
        try Self.expectRenderedAgain(contents, in: folder, name: name)
    }

    /// Every file of the report in `folder` is what `contents` renders now; the folder holds nothing else
    /// but the output marker and, where the command writes them, the predictions (scores of single users, not in
    /// results.json).
    static func expectRenderedAgain(_ contents: ResultsFile.Contents, in folder: String, name: String) throws {
        let rendered = try contents.files()
        let expected = Set(rendered.map(\.path)).union(["predictions.csv", ".segmentlab-output"])
        let committed = Set(try Self.files(in: folder))
        #expect(
            committed.isSubset(of: expected) && committed.isSuperset(of: rendered.map(\.path)),
            """
            run `make reports` after changing what \(name)'s command writes: only rendered \
            \(expected.subtracting(committed).sorted()), only committed \(committed.subtracting(expected).sorted())
            """)
        for file in rendered {
            let committed = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file.path))
            #expect(file.data == committed, "\(name)/\(file.path) differs: run `make reports`")
        }
    }

    /// The gallery's `evaluate` reports of simulated logs (`make reports`).
    static let logReports = ["tracking-gaps-faithful-log", "tracking-gaps-faulty-log"]

    @Test("every file of a gallery report of a log renders again from its results.json", arguments: logReports)
    func rerenderLog(_ name: String) throws {
        let folder = Repository.path("reports/gallery/\(name)")
        let contents = try Repository.results(in: folder)
        guard case .evaluate(let results) = contents else {
            Issue.record("\(name): results.json is not evaluate's")
            return
        }
        #expect(results.experiment != nil, "\(name): made with --assignments")
        try Self.expectRenderedAgain(contents, in: folder, name: name)
        let index = try String(contentsOfFile: Repository.path("reports/README.md"), encoding: .utf8)
        #expect(index.contains("(gallery/\(name)/report.html)"), "\(name)")
    }

    /// The twin of the default scenario's log (`make reports`): its report renders again from its `twin.json`, and
    /// the scenario `fit` wrote for it, committed beside it, still loads.
    @Test("the gallery's twin report renders again from its twin.json, and its fitted scenario loads")
    func rerenderTwin() throws {
        let folder = Repository.path("reports/gallery/saas-default-twin")
        let contents = try ResultsFile.decode(try Data(contentsOf: URL(fileURLWithPath: folder + "/twin.json")))
        guard case .twin(let results) = contents else {
            Issue.record("saas-default-twin: twin.json is not twin's")
            return
        }
        #expect(results.figures.count == 7)
        try Self.expectRenderedAgain(contents, in: folder, name: "saas-default-twin")
        _ = try ScenarioLoader.load(contentsOf: Repository.path("reports/gallery/saas-default-twin.yaml"))
        let index = try String(contentsOfFile: Repository.path("reports/README.md"), encoding: .utf8)
        #expect(index.contains("(gallery/saas-default-twin/report.html)"))
    }

    @Test("segmentlab report writes the gallery report again from its results.json")
    func reportCommand() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("again").path
        let gallery = Repository.path("reports/gallery/experiment-check")
        let (status, stdout, stderr) = try Repository.runCLI(["report", gallery + "/results.json", "--out", out])
        #expect(status == 0, "\(stderr)")
        #expect(stdout == "report: \(out)/report.html\n")
        let written = try Self.files(in: out)
        #expect(written == (try Self.files(in: gallery)).filter { $0 != "predictions.csv" })
        for file in written {
            let a = try Data(contentsOf: URL(fileURLWithPath: out + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: gallery + "/" + file))
            #expect(a == b, "\(file)")
        }
    }

    @Test("segmentlab report refuses a file that is not results.json of this version, and writes nothing")
    func reportRefusesOtherFiles() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let committed = try String(
            contentsOfFile: Repository.path("reports/gallery/experiment-check/results.json"), encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("scenario.yaml", "name: x\n", "not a SegmentLab results file: not JSON"),
            (
                "old.json",
                committed.replacingOccurrences(
                    of: "\"schema_version\" : \(ResultsFile.schemaVersion)", with: "\"schema_version\" : 1"),
                "written with results schema version 1"
            ),
            (
                "cut.json", committed.replacingOccurrences(of: "\"plans\" :", with: "\"planz\" :"),
                "not a SegmentLab results file: the top level: missing plans"
            ),
        ]
        for (file, text, message) in cases {
            let path = folder.appendingPathComponent(file).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let out = folder.appendingPathComponent("out-" + file).path
            let (status, _, stderr) = try Repository.runCLI(["report", path, "--out", out])
            #expect(status == 2, "\(file)")
            #expect(stderr.contains("\(path): \(message)"), "\(file): \(stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(file)")
        }
    }

    static func files(in folder: String) throws -> [String] {
        let walker = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let path = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(path)
            }
        }
        return files.sorted()
    }
}
