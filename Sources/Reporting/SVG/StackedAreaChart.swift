/// Sizes of groups over time, stacked: segment sizes at each evaluation.
public struct StackedAreaChart: Sendable {
    public var id: String
    public var title: String
    public var yTitle: String
    /// One label per time point (dates); a few are shown on the axis.
    public var labels: [String]
    /// Series in stacking order, bottom first; each has one value per label.
    public var series: [(name: String, values: [Double])]

    public init(id: String, title: String, yTitle: String, labels: [String], series: [(name: String, values: [Double])])
    {
        self.id = id
        self.title = title
        self.yTitle = yTitle
        self.labels = labels
        self.series = series
    }

    public func svg(width: Double = 720, height: Double = 380) -> String {
        let n = labels.count
        guard n > 0, !series.isEmpty, series.allSatisfy({ $0.values.count == n }) else {
            return Chart.empty(id: id, title: title)
        }
        var cumulative = [[Double]](repeating: [Double](repeating: 0, count: n), count: series.count + 1)
        for (k, s) in series.enumerated() {
            for i in 0..<n { cumulative[k + 1][i] = cumulative[k][i] + max(0, s.values[i].isFinite ? s.values[i] : 0) }
        }
        let x = Axis(
            values: [0, Double(max(1, n - 1))], fixed: 0...Double(max(1, n - 1)), count: min(6, max(1, n - 1)))
        let y = Axis(values: cumulative[series.count])
        let frame = Frame(
            width: width, height: height, x: x, y: y,
            legendRows: (series.count + Frame.legendColumns(series.map(\.name)) - 1)
                / Frame.legendColumns(series.map(\.name)))
        var c = SVGCanvas(width: width, height: height)
        frame.draw(on: &c, xTitle: "evaluation date", yTitle: yTitle) { t in
            let i = Int(t.rounded())
            return i >= 0 && i < n && abs(t - Double(i)) < 1e-9 ? labels[i] : ""
        }
        for k in series.indices {
            let top = (0..<n).map { (Double($0), cumulative[k + 1][$0]) }
            let base = (0..<n).reversed().map { (Double($0), cumulative[k][$0]) }
            let d =
                PathPoints(points: top).map(frame: frame) + " "
                + PathPoints(points: base).map(frame: frame, continuing: true) + " Z"
            c.element(
                "path",
                [
                    ("d", d), ("fill", Palette.color(k)), ("fill-opacity", "0.85"), ("stroke", "#ffffff"),
                    ("stroke-width", "0.5"),
                ], title: series[k].name)
        }
        frame.legend(on: &c, names: series.map(\.name), colors: series.indices.map(Palette.color))
        let last = series.map { "\($0.name) \(SVGCanvas.number($0.values[n - 1]))" }.joined(separator: ", ")
        return c.svg(
            id: id, title: title,
            description:
                "\(yTitle) in each group at \(n) dates from \(labels[0]) to \(labels[n - 1]); at the last: \(last).")
    }
}
