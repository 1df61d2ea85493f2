import Foundation
import Testing

/// The README's command lines, run as a newcomer would type them: in a fresh folder holding the repository's
/// scenarios and gallery, with `.build/release/segmentlab` the binary built beside the tests. Runs and
/// sweeps are cut to a few hundred users and days (the scenario, options and outputs stay those of the
/// README); `make reports` runs the gallery's at full size.
@Suite("The README's commands")
struct ReadmeCommandsTests {
    /// Each `$ ` line of README.md's shell blocks, joined with its `\` continuation lines.
    static func commands() throws -> [String] {
        let readme = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
        var commands: [String] = []
        var inShell = false
        var pending: String?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell else { continue }
            if var text = pending {
                text += " " + line.trimmingCharacters(in: .whitespaces)
                pending = nil
                if text.hasSuffix("\\") { pending = String(text.dropLast()) } else { commands.append(text) }
            } else if line.hasPrefix("$ ") {
                let text = String(line.dropFirst(2))
                if text.hasSuffix("\\") { pending = String(text.dropLast()) } else { commands.append(text) }
            }
        }
        return commands
    }

    /// Fewer users, days and replicates for the commands that simulate a population many times.
    static func reduced(_ command: String) -> String {
        var text = command
        for sub in ["run", "sweep"] {
            text = text.replacingOccurrences(
                of: "segmentlab \(sub) ", with: "segmentlab \(sub) --users 600 --days 100 ")
        }
        if text.contains("segmentlab sweep ") {
            text = text.replacingOccurrences(
                of: #"--replicates \d+"#, with: "--replicates 2", options: .regularExpression)
        }
        return text
    }

    @Test("every command of the README runs, in order, and validate prints what the README shows")
    func everyCommandRuns() throws {
        let commands = try Self.commands()
        // What the walk-through must reach (issue: a newcomer following only the README).
        for step in [
            "validate ", "run ", "simulate ", "compare ", "sweep ", "merge ", "segment ", "evaluate ",
            "sql ", "report ",
        ] {
            #expect(commands.contains { $0.contains("segmentlab " + step) }, "no `segmentlab \(step)` in the README")
        }
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent(".build/release"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(
            at: folder.appendingPathComponent(".build/release/segmentlab"), withDestinationURL: Repository.segmentlab)
        try fm.createSymbolicLink(
            at: folder.appendingPathComponent("scenarios"),
            withDestinationURL: Repository.root.appendingPathComponent("scenarios"))
        try fm.createDirectory(at: folder.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(
            at: folder.appendingPathComponent("reports/gallery"),
            withDestinationURL: Repository.root.appendingPathComponent("reports/gallery"))
        for command in commands {
            // The SQL on a PostgreSQL server: `make test` runs the generated query there (Tests/SQL).
            if command.hasPrefix("psql ") { continue }
            #expect(
                command.hasPrefix(".build/release/segmentlab ") || command.hasPrefix("sed ")
                    || command.hasPrefix("for "))
            let (status, stdout, stderr) = try Self.shell(Self.reduced(command), in: folder)
            #expect(status == 0, "\(command)\n\(stderr)")
            if command == ".build/release/segmentlab validate scenarios/saas-default.yaml" {
                #expect(
                    stdout == "scenarios/saas-default.yaml: valid — 20000 users, 365 days, 3 personas, 7 latent "
                        + "states, 5 features, 3 milestones, 3 plans\n")
            }
        }
        // The gallery is read, never written.
        #expect(!fm.fileExists(atPath: folder.appendingPathComponent("reports/gallery/again").path))
    }

    static func shell(_ command: String, in folder: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -eo pipefail; " + command]
        process.currentDirectoryURL = folder
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}
