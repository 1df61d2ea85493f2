import Foundation
import Reports

extension Workbench {
    /// Renders the report of a `results.json` again, without re-running: `report.html`,
    /// `report.md`, `figures/`, the CSV tables drawn from the results and the results themselves,
    /// into a new output folder. Returns the folder.
    public static func report(results path: String, outDirectory: String?) throws -> String {
        if let outDirectory { try OutputDirectory.checkDestination(outDirectory) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RunError.badInput("\(path): cannot read it (\(error.localizedDescription))")
        }
        let contents: ResultsFile.Contents
        do {
            contents = try ResultsFile.decode(data)
        } catch {
            throw RunError.badInput("\(path): \(error)")
        }
        let name: String
        let seed: UInt64?
        switch contents {
        case .run(let r):
            (name, seed) = (r.scenario.name, r.scenario.seed)
        case .segment(let r):
            (name, seed) = (
                logName(r.source.files.first ?? path), nil
            )
        case .evaluate(let r):
            (name, seed) = (
                logName(r.source.files.first ?? path), nil
            )
        case .twin(let r):
            (name, seed) = (logName(r.source.files.first ?? path), nil)
        }
        let destination = outDirectory ?? defaultDirectory(scenario: name, seed: seed)
        try OutputDirectory.checkDestination(destination)
        return try OutputDirectory.produce(at: destination) { try $0.write(try contents.files()) }
    }
}
