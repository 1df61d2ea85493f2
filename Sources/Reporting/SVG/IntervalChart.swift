/// A forest plot: per row an estimate with its interval against a reference line, and an
/// optional second marker (the true effect).
public struct IntervalChart: Sendable {
    public struct Row: Sendable {
        public var label: String
        public var estimate: Double
        public var lower: Double?
        public var upper: Double?
        public var truth: Double?

        public init(label: String, estimate: Double, lower: Double?, upper: Double?, truth: Double? = nil) {
            self.label = label
            self.estimate = estimate
            self.lower = lower
            self.upper = upper
            self.truth = truth
        }
    }

    public var id: String
    public var title: String
    public var xTitle: String
    public var rows: [Row]
    public var reference = 0.0

    public init(id: String, title: String, xTitle: String, rows: [Row]) {
        self.id = id
        self.title = title
        self.xTitle = xTitle
        self.rows = rows
    }

    public func svg(width: Double = 720) -> String {
        let drawn = rows.filter(\.estimate.isFinite)
        guard !drawn.isEmpty else { return Chart.empty(id: id, title: title) }
        let rowHeight = 28.0
        let left = 210.0
        let right = width - 24
        let top = 12.0
        let bottom = top + rowHeight * Double(drawn.count)
        let height = bottom + 72
        let values = drawn.flatMap { [$0.estimate, $0.lower, $0.upper, $0.truth].compactMap { $0 } } + [reference]
        let x = Axis(values: values, includeZero: false)
        func px(_ v: Double) -> Double { x.map(v, left, right) }
        var c = SVGCanvas(width: width, height: height)
        for t in x.ticks {
            c.line(px(t), top, px(t), bottom, stroke: "#e4e7eb")
            c.text(px(t), bottom + 16, x.label(t), anchor: "middle", size: 11, color: "#5b6472")
        }
        c.line(px(reference), top, px(reference), bottom, stroke: "#5b6472", dash: "4 3")
        c.line(left, bottom, right, bottom, stroke: "#5b6472")
        c.text((left + right) / 2, bottom + 34, xTitle, anchor: "middle", size: 12)
        for (i, row) in drawn.enumerated() {
            let y = top + rowHeight * (Double(i) + 0.5)
            c.text(left - 10, y + 4, Chart.shorten(row.label, 30), anchor: "end", size: 11)
            if let lo = row.lower, let hi = row.upper, lo.isFinite, hi.isFinite {
                c.line(px(lo), y, px(hi), y, stroke: Palette.color(0), width: 2)
                c.line(px(lo), y - 5, px(lo), y + 5, stroke: Palette.color(0), width: 2)
                c.line(px(hi), y - 5, px(hi), y + 5, stroke: Palette.color(0), width: 2)
            }
            c.element(
                "circle",
                [
                    ("cx", SVGCanvas.number(px(row.estimate))), ("cy", SVGCanvas.number(y)), ("r", "4.5"),
                    ("fill", Palette.color(0)),
                ], title: "\(row.label): \(SVGCanvas.number(row.estimate))")
            if let truth = row.truth, truth.isFinite {
                let tx = px(truth)
                c.element(
                    "path",
                    [
                        (
                            "d",
                            "M\(SVGCanvas.number(tx)) \(SVGCanvas.number(y - 6)) L\(SVGCanvas.number(tx + 6)) \(SVGCanvas.number(y)) L\(SVGCanvas.number(tx)) \(SVGCanvas.number(y + 6)) L\(SVGCanvas.number(tx - 6)) \(SVGCanvas.number(y)) Z"
                        ),
                        ("fill", "none"), ("stroke", Palette.color(1)), ("stroke-width", "2"),
                    ], title: "true effect \(SVGCanvas.number(truth))")
            }
        }
        let hasTruth = drawn.contains { $0.truth != nil }
        c.element(
            "circle",
            [
                ("cx", SVGCanvas.number(left + 6)), ("cy", SVGCanvas.number(bottom + 56)), ("r", "4.5"),
                ("fill", Palette.color(0)),
            ])
        c.text(left + 16, bottom + 60, "measured, with its 95 % interval", size: 11)
        if hasTruth {
            let lx = left + 260
            c.element(
                "path",
                [
                    (
                        "d",
                        "M\(SVGCanvas.number(lx)) \(SVGCanvas.number(bottom + 50)) L\(SVGCanvas.number(lx + 6)) \(SVGCanvas.number(bottom + 56)) L\(SVGCanvas.number(lx)) \(SVGCanvas.number(bottom + 62)) L\(SVGCanvas.number(lx - 6)) \(SVGCanvas.number(bottom + 56)) Z"
                    ),
                    ("fill", "none"), ("stroke", Palette.color(1)), ("stroke-width", "2"),
                ])
            c.text(lx + 12, bottom + 60, "true effect (counterfactual)", size: 11)
        }
        let summary = drawn.map { r in
            "\(r.label): \(SVGCanvas.number(r.estimate))"
                + (r.lower.flatMap { lo in r.upper.map { " (\(SVGCanvas.number(lo)) to \(SVGCanvas.number($0)))" } }
                    ?? "")
                + (r.truth.map { ", true \(SVGCanvas.number($0))" } ?? "")
        }.joined(separator: "; ")
        return c.svg(id: id, title: title, description: "\(xTitle) per row. \(summary).")
    }
}
