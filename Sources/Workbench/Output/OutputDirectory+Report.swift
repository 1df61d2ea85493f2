import Foundation
import Reporting

extension OutputDirectory {
    /// `report.html` (self-contained), `report.md`, and each figure as `figures/<name>.svg` for the
    /// Markdown file to link.
    func writeReport(_ document: ReportDocument) throws {
        let figures = document.sections.flatMap(\.blocks).compactMap { block -> ReportFigure? in
            if case .figure(let f) = block { return f }
            return nil
        }
        if !figures.isEmpty {
            try FileManager.default.createDirectory(
                at: staging.appendingPathComponent("figures"), withIntermediateDirectories: true)
            for f in figures { try write(Data(f.svg.utf8), to: "figures/\(f.name).svg") }
        }
        try write(Data(try ReportRenderer.html(document).utf8), to: "report.html")
        try write(Data(try ReportRenderer.markdown(document) { "figures/\($0.name).svg" }.utf8), to: "report.md")
    }
}
