import Foundation
import Reports
import UsageModel

extension Workbench {
    /// Compares two runs: reads each one's `results.json`, and writes `compare.json`, `compare.html`,
    /// `compare.md` and `compare-figures/` into `outDirectory`. Returns the folder.
    ///
    /// Every file is staged under a hidden name and renamed into place once all are written, and only
    /// those names are touched: anything else in the folder stays, so a comparison may go into a folder
    /// of the user's. Everything is checked before the first write, so bad input leaves nothing behind.
    ///
    /// - Parameters:
    ///   - first: Run A: the folder a run wrote, or its `results.json`.
    ///   - second: Run B, the same way.
    ///   - outDirectory: Where the comparison goes; created when missing; not the folder of A or B.
    /// - Throws: ``RunError/badInput(_:)`` naming the file for a missing folder, a folder without
    ///   `results.json`, a file that is not the results of a run; or an output folder that is an input
    ///   or a file. ``RunError/failed(_:)`` when a write fails.
    public static func compare(_ first: String, _ second: String, outDirectory: String) throws -> String {
        let a = try runResults(first)
        let b = try runResults(second)
        let destination = URL(fileURLWithPath: outDirectory).standardizedFileURL
        try checkCompareDestination(outDirectory, inputs: [(first, a.folder), (second, b.folder)])
        let results: CompareResults
        do {
            results = try CompareResults(a: a.results, inputA: first, b: b.results, inputB: second)
        } catch {
            throw RunError.badInput("cannot compare \(a.file) with \(b.file): \(error)")
        }
        let files: [(path: String, data: Data)]
        do {
            files = try CompareFiles.render(results)
        } catch {
            throw RunError.failed("cannot render the comparison: \(error)")
        }
        try writeStaged(files, into: destination)
        return destination.path
    }

    /// The results of the run at `path` (a run's folder or its `results.json`), the file they came from
    /// and the folder that holds it.
    static func runResults(_ path: String) throws(RunError) -> (results: RunResults, file: String, folder: URL) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .badInput("\(path): no such folder (give the folder a run wrote, which holds its results.json)")
        }
        let file = isDirectory.boolValue ? (path.hasSuffix("/") ? path : path + "/") + "results.json" : path
        guard fm.fileExists(atPath: file) else {
            throw .badInput("\(file): not found; \(path) is not the folder of a run")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw .badInput("\(file): cannot read it (\(error.localizedDescription))")
        }
        let contents: ResultsFile.Contents
        do {
            contents = try ResultsFile.decode(data)
        } catch {
            throw .badInput("\(file): \(error)")
        }
        switch contents {
        case .run(let results):
            let url = URL(fileURLWithPath: file).standardizedFileURL
            return (results, file, url.deletingLastPathComponent())
        case .segment:
            throw .badInput("\(file): the results of `segment` on an event log, not of a run; compare takes two runs")
        case .evaluate:
            throw .badInput("\(file): the results of `evaluate` on an event log, not of a run; compare takes two runs")
        case .twin:
            throw .badInput("\(file): the results of `twin` on an event log, not of a run; compare takes two runs")
        }
    }

    /// Refuses an output folder that is one of the inputs' folders, or that is a file.
    static func checkCompareDestination(_ path: String, inputs: [(given: String, folder: URL)]) throws(RunError) {
        let out = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        for (label, input) in zip(["A", "B"], inputs)
        where input.folder.resolvingSymlinksInPath().path == out.path {
            throw .badInput(
                "--out \(path): that is the folder of run \(label) (\(input.given)); write the comparison into "
                    + "another folder, so a run's folder holds only what the run wrote")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw .badInput("--out \(path): a file of that name exists; compare writes into a folder")
        }
    }

    /// Writes each file through its own ``StagedOutput``: all are written under hidden names first,
    /// then renamed into place, so a failure while writing leaves the folder as it was.
    static func writeStaged(_ files: [(path: String, data: Data)], into folder: URL) throws {
        let fm = FileManager.default
        let subfolders = Set(files.map { ($0.path as NSString).deletingLastPathComponent }).filter { !$0.isEmpty }
        var created: [URL] = []
        func removeCreated() {
            for url in created.reversed() where (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true {
                try? fm.removeItem(at: url)
            }
        }
        do {
            for url in [folder] + subfolders.sorted().map({ folder.appendingPathComponent($0) })
            where !fm.fileExists(atPath: url.path) {
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
                created.append(url)
            }
        } catch {
            removeCreated()
            throw RunError.failed("cannot create \(folder.path): \(error.localizedDescription)")
        }
        var staged: [StagedOutput] = []
        do {
            for file in files {
                let url = folder.appendingPathComponent(file.path)
                let output = StagedOutput(
                    name: url.lastPathComponent, in: url.deletingLastPathComponent().path, kind: .file)
                staged.append(output)
                try? output.removeLeftovers()
                do {
                    try InterruptCleanup.critical { try file.data.write(to: URL(fileURLWithPath: output.staging)) }
                } catch {
                    throw RunError.failed("cannot write \(url.path): \(error.localizedDescription)")
                }
            }
            for (output, file) in zip(staged, files) {
                do {
                    try output.commit()
                } catch {
                    throw RunError.failed("cannot put \(file.path) in place in \(folder.path): \(error.reason)")
                }
            }
        } catch {
            for output in staged { output.discard() }
            removeCreated()
            throw error
        }
    }
}
