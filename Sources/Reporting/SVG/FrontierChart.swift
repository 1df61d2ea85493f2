/// A scatter of settings, what each spends (x) against what it gains (y), for two sets of figures of the same
/// settings (measured and true): each mark with its interval as a vertical whisker, and each set's Pareto
/// frontier joined by a line through its points, which are ringed and labelled.
public struct FrontierChart: Sendable {
    public struct Mark: Sendable {
        /// Short, shown beside frontier points; the full name goes in the tooltip.
        public var label: String
        public var name: String
        public var x: Double
        public var y: Double
        public var lower: Double?
        public var upper: Double?

        public init(label: String, name: String, x: Double, y: Double, lower: Double?, upper: Double?) {
            self.label = label
            self.name = name
            self.x = x
            self.y = y
            self.lower = lower
            self.upper = upper
        }
    }

    public struct Series: Sendable {
        public var name: String
        public var marks: [Mark]
        /// Indices into `marks` of the frontier, in order of x.
        public var frontier: [Int]
        /// Drawn as an open diamond instead of a filled circle.
        public var hollow: Bool

        public init(name: String, marks: [Mark], frontier: [Int], hollow: Bool = false) {
            self.name = name
            self.marks = marks
            self.frontier = frontier
            self.hollow = hollow
        }
    }

    public var id: String
    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var series: [Series]

    public init(id: String, title: String, xTitle: String, yTitle: String, series: [Series]) {
        self.id = id
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.series = series
    }

    public func svg(width: Double = 720, height: Double = 420) -> String {
        let marks = series.flatMap(\.marks).filter { $0.x.isFinite && $0.y.isFinite }
        guard !marks.isEmpty else { return Chart.empty(id: id, title: title) }
        let ys = marks.flatMap { [$0.y, $0.lower, $0.upper].compactMap { $0 }.filter(\.isFinite) }
        let frame = Frame(
            width: width, height: height, x: Axis(values: marks.map(\.x)), y: Axis(values: ys), legendRows: 1)
        var c = SVGCanvas(width: width, height: height)
        frame.draw(on: &c, xTitle: xTitle, yTitle: yTitle)
        if frame.y.lower < 0 {
            c.line(frame.left, frame.py(0), frame.right, frame.py(0), stroke: "#5b6472", dash: "4 3")
        }
        // The two figures of one setting share an x: set them a few pixels apart so both whiskers show.
        let shift = series.count > 1 ? 4.0 : 0
        var placed: [(Double, Double, Double)] = []
        for (s, one) in series.enumerated() {
            let color = Palette.color(s)
            let dx = (Double(s) - Double(series.count - 1) / 2) * 2 * shift
            func point(_ m: Mark) -> (Double, Double) { (frame.px(m.x) + dx, frame.py(m.y)) }
            let onFrontier = one.frontier.filter { one.marks.indices.contains($0) }
            if onFrontier.count > 1 {
                let d = onFrontier.enumerated().map { i, k in
                    let (x, y) = point(one.marks[k])
                    return "\(i == 0 ? "M" : "L")\(SVGCanvas.number(x)) \(SVGCanvas.number(y))"
                }.joined(separator: " ")
                c.element(
                    "path",
                    [
                        ("d", d), ("fill", "none"), ("stroke", color), ("stroke-width", "1.5"),
                        ("stroke-dasharray", one.hollow ? "5 3" : "none"),
                    ], title: "\(one.name): frontier")
            }
            for m in one.marks where m.x.isFinite && m.y.isFinite {
                let (x, y) = point(m)
                if let lo = m.lower, let hi = m.upper, lo.isFinite, hi.isFinite {
                    c.line(x, frame.py(lo), x, frame.py(hi), stroke: color, width: 1.2)
                    c.line(x - 3, frame.py(lo), x + 3, frame.py(lo), stroke: color, width: 1.2)
                    c.line(x - 3, frame.py(hi), x + 3, frame.py(hi), stroke: color, width: 1.2)
                }
                marker(on: &c, x, y, color: color, hollow: one.hollow, title: "\(m.name): \(one.name)")
            }
            for (x, y, text) in frontierLabels(one, onFrontier, point) {
                c.element(
                    "circle",
                    [
                        ("cx", SVGCanvas.number(x)), ("cy", SVGCanvas.number(y)), ("r", "8"), ("fill", "none"),
                        ("stroke", color), ("stroke-width", "1.5"),
                    ])
                // Measured labels go left of their points, true ones right, moved down past labels already set.
                let width = 5.6 * Double(text.count)
                var left = s % 2 == 0
                if left, x - 12 - width < frame.left { left = false }
                if !left, x + 12 + width > self.width(frame), x - 12 - width >= frame.left { left = true }
                let x0 = left ? x - 12 - width : x + 12
                var ty = y + 4
                while placed.contains(where: { $0.0 < x0 + width && x0 < $0.1 && abs($0.2 - ty) < 11 }) { ty += 11 }
                placed.append((x0, x0 + width, ty))
                c.text(left ? x - 12 : x + 12, ty, text, anchor: left ? "end" : "start", size: 10, color: color)
            }
        }
        legend(on: &c, frame: frame)
        let summary = series.map { one in
            let names = one.frontier.filter { one.marks.indices.contains($0) }.map { one.marks[$0].label }
            return "\(one.name): \(one.marks.count) settings, frontier " + names.joined(separator: ", ")
        }.joined(separator: "; ")
        return c.svg(id: id, title: title, description: "\(yTitle) against \(xTitle). \(summary).")
    }

    /// The right edge of the canvas.
    private func width(_ frame: Frame) -> Double { frame.right + 40 }

    /// One ring and label per place on the frontier: settings that land on the same spot share them.
    private func frontierLabels(
        _ one: Series, _ frontier: [Int], _ point: (Mark) -> (Double, Double)
    ) -> [(Double, Double, String)] {
        var groups: [(Double, Double, [String])] = []
        for k in frontier {
            let (x, y) = point(one.marks[k])
            if let g = groups.firstIndex(where: { abs($0.0 - x) < 3 && abs($0.1 - y) < 3 }) {
                groups[g].2.append(one.marks[k].label)
            } else {
                groups.append((x, y, [one.marks[k].label]))
            }
        }
        return groups.map { ($0.0, $0.1, Chart.shorten($0.2.joined(separator: ", "), 30)) }
    }

    private func marker(
        on c: inout SVGCanvas, _ x: Double, _ y: Double, color: String, hollow: Bool, title: String? = nil
    ) {
        if hollow {
            let d =
                "M\(SVGCanvas.number(x)) \(SVGCanvas.number(y - 5)) L\(SVGCanvas.number(x + 5)) \(SVGCanvas.number(y)) "
                + "L\(SVGCanvas.number(x)) \(SVGCanvas.number(y + 5)) L\(SVGCanvas.number(x - 5)) \(SVGCanvas.number(y)) Z"
            c.element(
                "path", [("d", d), ("fill", "#ffffff"), ("stroke", color), ("stroke-width", "2")], title: title)
        } else {
            c.element(
                "circle",
                [("cx", SVGCanvas.number(x)), ("cy", SVGCanvas.number(y)), ("r", "4"), ("fill", color)],
                title: title)
        }
    }

    /// Each series' marker, then what a ring and a line mean.
    private func legend(on c: inout SVGCanvas, frame: Frame) {
        var x = frame.left
        let y = frame.bottom + 48
        for (s, one) in series.enumerated() {
            marker(on: &c, x + 6, y - 4, color: Palette.color(s), hollow: one.hollow)
            c.text(x + 16, y, Chart.shorten(one.name, 40), size: 11)
            x += 24 + 6.5 * Double(min(40, one.name.count))
        }
        c.element(
            "circle",
            [
                ("cx", SVGCanvas.number(x + 6)), ("cy", SVGCanvas.number(y - 4)), ("r", "7"), ("fill", "none"),
                ("stroke", "#5b6472"), ("stroke-width", "1.5"),
            ])
        c.text(x + 18, y, "on the frontier (joined), with its 95 % interval as a whisker", size: 11)
    }
}
