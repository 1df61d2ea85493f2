import Foundation
import Reports
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Invariant 5: a run killed at any moment leaves the previous report or the new one, whole —
/// never a mixture or half of one.
@Suite("Interrupted runs", .serialized)
struct InterruptTests {
    static let files = [
        "predictions.csv", "report.html", "report.md", "results.json", "segments.csv", "transitions.csv",
    ]

    /// The seed recorded in a complete report folder, or a description of what is wrong with it.
    static func seed(in folder: String) throws -> UInt64? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder) else { return nil }
        let present = try fm.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        #expect(Set(present) == Set(files + ["figures"]), "\(present)")
        guard case .run(let results) = try Repository.results(in: folder) else {
            Issue.record("results.json of a run decodes as another command's")
            return nil
        }
        let seed: UInt64? = results.scenario.seed
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.hasSuffix("</html>\n"))
        if let seed { #expect(html.contains("seed \(seed)")) }
        return seed
    }

    @Test("killed at moments spread over the run, a run leaves the old report or the new one, whole")
    func killAtRandomMoments() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("report").path
        // Small enough that the fourteen runs take seconds, large enough to reach every step: campaigns,
        // both prediction cutoffs, every output.
        let arguments = ["run", "scenarios/saas-default.yaml", "--users", "1000", "--days", "120", "--out", out]
        // A first, complete run with seed 1.
        let started = Date()
        let first = try Repository.runCLI(arguments + ["--seed", "1"])
        let duration = Date().timeIntervalSince(started)
        #expect(first.status == 0)
        #expect(try Self.seed(in: out) == 1)

        // Then runs with seed 2, each killed at a fixed fraction of a whole run's duration (more of
        // them near the end, when files are written and renamed).
        for (i, fraction) in [0.1, 0.3, 0.5, 0.7, 0.85, 0.92, 0.96, 0.98, 0.99, 1.0, 1.01, 1.03].enumerated() {
            let process = Process()
            process.executableURL = Repository.segmentlab
            process.arguments = arguments + ["--seed", "2"]
            process.currentDirectoryURL = Repository.root
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: duration * fraction)
            // Alternate between Ctrl-C and an outright kill.
            kill(process.processIdentifier, i % 2 == 0 ? SIGINT : SIGKILL)
            process.waitUntilExit()
            if let seed = try Self.seed(in: out) {
                #expect(seed == 1 || seed == 2, "after a kill at \(fraction) of a run")
            } else {
                // Killed between moving the old report aside and the new one in: the old one is
                // whole beside it, and the next run puts it back.
                let aside = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                    $0.hasPrefix(".report.old-")
                }
                #expect(aside.count == 1)
                #expect(try aside.first.map { try Self.seed(in: folder.path + "/" + $0) } == 1)
            }
        }
        // A run that is not interrupted replaces the report.
        #expect(try Repository.runCLI(arguments + ["--seed", "2"]).status == 0)
        #expect(try Self.seed(in: out) == 2)
        // Nothing is left of the killed runs.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report"])
    }
}
