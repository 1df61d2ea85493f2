/// A matrix of shares in [0, 1] as coloured cells with their value and count: transitions
/// between segments.
public struct HeatMap: Sendable {
    public var id: String
    public var title: String
    public var rowTitle: String
    public var columnTitle: String
    public var rows: [String]
    public var columns: [String]
    /// `values[i][j]` in [0, 1], `nil` for an empty cell.
    public var values: [[Double?]]
    /// Count behind each cell, shown under the share.
    public var counts: [[Int]]

    public init(
        id: String, title: String, rowTitle: String, columnTitle: String, rows: [String], columns: [String],
        values: [[Double?]], counts: [[Int]]
    ) {
        self.id = id
        self.title = title
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.rows = rows
        self.columns = columns
        self.values = values
        self.counts = counts
    }

    public func svg() -> String {
        guard !rows.isEmpty, !columns.isEmpty else { return Chart.empty(id: id, title: title) }
        let cellWidth = 78.0
        let cellHeight = 40.0
        let left = 150.0
        let top = 96.0
        let width = left + cellWidth * Double(columns.count) + 16
        let height = top + cellHeight * Double(rows.count) + 16
        var c = SVGCanvas(width: width, height: height)
        c.text(left + cellWidth * Double(columns.count) / 2, 18, columnTitle, anchor: "middle", size: 12, weight: "600")
        for (j, name) in columns.enumerated() {
            let x = left + cellWidth * (Double(j) + 0.5)
            c.element(
                "text",
                [
                    ("x", SVGCanvas.number(x)), ("y", SVGCanvas.number(top - 8)), ("font-size", "11"),
                    ("fill", "#1d2330"),
                    ("transform", "rotate(-35 \(SVGCanvas.number(x)) \(SVGCanvas.number(top - 8)))"),
                ],
                text: Chart.shorten(name, 16))
        }
        c.text(
            14, top + cellHeight * Double(rows.count) / 2, rowTitle, anchor: "middle", size: 12, rotate: true,
            weight: "600")
        var strongest: [String] = []
        for (i, name) in rows.enumerated() {
            let y = top + cellHeight * Double(i)
            c.text(left - 8, y + cellHeight / 2 + 4, Chart.shorten(name, 18), anchor: "end", size: 11)
            var best: (Int, Double)?
            for j in columns.indices {
                let x = left + cellWidth * Double(j)
                let v = i < values.count && j < values[i].count ? values[i][j] : nil
                let count = i < counts.count && j < counts[i].count ? counts[i][j] : 0
                c.element(
                    "rect",
                    [
                        ("x", SVGCanvas.number(x)), ("y", SVGCanvas.number(y)),
                        ("width", SVGCanvas.number(cellWidth - 2)),
                        ("height", SVGCanvas.number(cellHeight - 2)), ("fill", v.map(Palette.sequential) ?? "#ffffff"),
                        ("stroke", "#e4e7eb"),
                    ],
                    title:
                        "\(name) → \(columns[j]): \(v.map { SVGCanvas.number($0 * 100) + " %" } ?? "–"), \(count) users"
                )
                guard let v else { continue }
                let color = Palette.textOn(v)
                c.text(
                    x + cellWidth / 2 - 1, y + 17, SVGCanvas.number((v * 1000).rounded() / 10) + " %", anchor: "middle",
                    size: 11, color: color)
                c.text(x + cellWidth / 2 - 1, y + 31, "n=\(count)", anchor: "middle", size: 9, color: color)
                if best == nil || v > best!.1 { best = (j, v) }
            }
            if let best {
                strongest.append("\(name) mostly to \(columns[best.0]) (\(SVGCanvas.number(best.1 * 100)) %)")
            }
        }
        return c.svg(
            id: id, title: title,
            description: "Rows: \(rowTitle); columns: \(columnTitle). " + strongest.joined(separator: "; ") + ".")
    }
}
