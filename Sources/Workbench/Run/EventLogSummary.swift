public import Simulation

extension Workbench {
    /// A table of what happened to each kind of event on its way to the log.
    public static func describe(_ stats: EventLogStats) -> String {
        var rows = [["event", "generated", "written", "lost", "late", "beyond horizon", "duplicate id"]]
        func row(_ name: String, _ c: EventCounts) -> [String] {
            [name] + [c.generated, c.written, c.lost, c.late, c.lateBeyondHorizon, c.duplicateID].map(String.init)
        }
        for kind in EventKind.allCases where stats[kind].generated > 0 {
            rows.append(row(kind.eventName ?? "(milestones)", stats[kind]))
        }
        rows.append(row("all", stats.total))
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { cells in
            cells.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 ? text + pad : pad + text
            }.joined(separator: "  ")
        }
        return lines.joined(separator: "\n") + "\n\(stats.linesWritten) lines, \(stats.bytesWritten) bytes"
    }
}
