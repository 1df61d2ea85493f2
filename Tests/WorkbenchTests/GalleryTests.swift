import Foundation
import Testing
import Workbench

/// The committed example reports (`make reports`) must be what the code produces now.
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
        #expect(Self.scenarios == ["experiment-check", "reengagement", "saas-default"])
        let index = try String(contentsOfFile: Repository.path("reports/README.md"), encoding: .utf8)
        for name in Self.scenarios {
            #expect(
                FileManager.default.fileExists(atPath: Repository.path("reports/gallery/\(name)/report.html")),
                "\(name)")
            #expect(index.contains("(gallery/\(name)/report.html)"), "\(name)")
        }
    }

    @Test("regenerating a gallery report gives the same bytes", arguments: scenarios)
    func regenerate(_ name: String) throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/\(name).yaml"))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent(name).path
        _ = try Workbench.run(scenario, options: RunOptions(threads: 2, outDirectory: out))
        let committed = Repository.path("reports/gallery/\(name)")
        let fresh = try Self.files(in: out)
        #expect(fresh == (try Self.files(in: committed)), "run `make reports` after changing what a run writes")
        for file in fresh {
            let a = try Data(contentsOf: URL(fileURLWithPath: out + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: committed + "/" + file))
            #expect(a == b, "\(name)/\(file) differs: run `make reports`")
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
