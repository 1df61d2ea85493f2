public import Foundation
import Reporting

/// The files of a comparison: `compare.json`, `compare.html` (self-contained), `compare.md`, and each
/// figure as `compare-figures/<name>.svg` for the Markdown file to link. Every name starts with
/// `compare`, so a comparison written into a run's folder cannot replace one of the run's files.
public enum CompareFiles {
    public static let figureFolder = "compare-figures"

    /// Each file's path relative to the output folder, with its bytes; figures first.
    public static func render(_ results: CompareResults) throws -> [(path: String, data: Data)] {
        let document = CompareReport.document(results)
        var files: [(path: String, data: Data)] = []
        for block in document.sections.flatMap(\.blocks) {
            if case .figure(let f) = block { files.append(("\(figureFolder)/\(f.name).svg", Data(f.svg.utf8))) }
        }
        files.append(("compare.json", try ResultsFile.encode(results)))
        files.append(
            ("compare.md", Data(try ReportRenderer.markdown(document) { "\(figureFolder)/\($0.name).svg" }.utf8)))
        files.append(("compare.html", Data(try ReportRenderer.html(document).utf8)))
        return files
    }
}
