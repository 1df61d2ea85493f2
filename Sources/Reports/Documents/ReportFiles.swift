public import Foundation
public import Reporting

/// The files of a report: `report.html` (self-contained), `report.md`, and each figure as
/// `figures/<name>.svg` for the Markdown file to link.
public enum ReportFiles {
    /// Each file's path relative to the output folder, with its bytes; figures first.
    public static func render(_ document: ReportDocument) throws -> [(path: String, data: Data)] {
        var files: [(path: String, data: Data)] = []
        for block in document.sections.flatMap(\.blocks) {
            if case .figure(let f) = block { files.append(("figures/\(f.name).svg", Data(f.svg.utf8))) }
        }
        files.append(("report.html", Data(try ReportRenderer.html(document).utf8)))
        files.append(("report.md", Data(try ReportRenderer.markdown(document) { "figures/\($0.name).svg" }.utf8)))
        return files
    }
}
