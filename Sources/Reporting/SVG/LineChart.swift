/// Lines over a numeric x axis, with optional bands (confidence intervals), step interpolation
/// (Kaplan–Meier), markers (calibration) and a dashed diagonal (ROC, calibration).
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Lower and upper y of a band at each point, when there is one.
        public var band: [(lower: Double, upper: Double)]?

        public init(name: String, points: [(x: Double, y: Double)], band: [(lower: Double, upper: Double)]? = nil) {
            self.name = name
            self.points = points
            self.band = band
        }
    }

    public var id: String
    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var series: [Series]
    public var step = false
    public var markers = false
    public var diagonal = false
    /// Axes fixed to [0, 1] (rates, ROC).
    public var unitRange = false
    public var yPercent = false

    public init(id: String, title: String, xTitle: String, yTitle: String, series: [Series]) {
        self.id = id
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.series = series
    }

    public func svg(width: Double = 720, height: Double = 360) -> String {
        let drawn = series.map { s in
            Series(name: s.name, points: s.points.filter { $0.x.isFinite && $0.y.isFinite }, band: s.band)
        }
        guard drawn.contains(where: { !$0.points.isEmpty }) else { return Chart.empty(id: id, title: title) }
        let xs = drawn.flatMap { $0.points.map(\.x) }
        let ys = drawn.flatMap { $0.points.map(\.y) + ($0.band?.flatMap { [$0.lower, $0.upper] } ?? []) }
        let x = Axis(values: xs, includeZero: true, fixed: unitRange ? 0...1 : nil)
        let y = Axis(values: ys, includeZero: true, fixed: unitRange || yPercent ? 0...1 : nil)
        let columns = Frame.legendColumns(drawn.map(\.name))
        let legendRows = drawn.count > 1 ? (drawn.count + columns - 1) / columns : 0
        let frame = Frame(width: width, height: height, x: x, y: y, legendRows: legendRows)
        var c = SVGCanvas(width: width, height: height)
        let percent: ((Double) -> String)? = yPercent || unitRange ? { "\(Int(($0 * 100).rounded())) %" } : nil
        frame.draw(on: &c, xTitle: xTitle, yTitle: yTitle, yLabel: percent)
        if diagonal {
            c.line(frame.px(0), frame.py(0), frame.px(1), frame.py(1), stroke: "#999999", dash: "4 4")
        }
        for (i, s) in drawn.enumerated() where !s.points.isEmpty {
            let color = Palette.color(i)
            if let band = s.band, band.count == s.points.count {
                let upper = path(zip(s.points, band).map { ($0.0.x, $0.1.upper) })
                let lower = path(zip(s.points, band).map { ($0.0.x, $0.1.lower) }.reversed(), reversedStep: true)
                c.element(
                    "path",
                    [
                        ("d", upper.map(frame: frame) + " " + lower.map(frame: frame, continuing: true) + " Z"),
                        ("fill", color), ("fill-opacity", "0.15"), ("stroke", "none"),
                    ])
            }
            c.element(
                "path",
                [
                    ("d", path(s.points.map { ($0.x, $0.y) }).map(frame: frame)), ("fill", "none"),
                    ("stroke", color), ("stroke-width", "2"),
                ], title: s.name)
            if markers {
                for p in s.points {
                    c.element(
                        "circle",
                        [
                            ("cx", SVGCanvas.number(frame.px(p.x))), ("cy", SVGCanvas.number(frame.py(p.y))),
                            ("r", "3.5"), ("fill", color),
                        ])
                }
            }
        }
        if drawn.count > 1 { frame.legend(on: &c, names: drawn.map(\.name), colors: drawn.indices.map(Palette.color)) }
        let summary = drawn.map { s in
            let last = s.points.last.map { "ends at (\(x.label($0.x)), \(SVGCanvas.number($0.y)))" } ?? "no points"
            return "\(s.name): \(s.points.count) points, \(last)"
        }.joined(separator: "; ")
        return c.svg(id: id, title: title, description: "\(yTitle) against \(xTitle). \(summary).")
    }

    /// Points as a polyline, or as steps (horizontal, then vertical) for survival curves.
    func path(_ points: [(Double, Double)], reversedStep: Bool = false) -> PathPoints {
        guard step else { return PathPoints(points: points) }
        var out: [(Double, Double)] = []
        for (i, p) in points.enumerated() {
            if i > 0 {
                out.append(reversedStep ? (out[out.count - 1].0, p.1) : (p.0, out[out.count - 1].1))
            }
            out.append(p)
        }
        return PathPoints(points: out)
    }
}

struct PathPoints {
    let points: [(Double, Double)]

    /// SVG path commands; `continuing` goes on from an earlier path instead of moving.
    func map(frame: Frame, continuing: Bool = false) -> String {
        points.enumerated().map { i, p in
            "\(i == 0 && !continuing ? "M" : "L")\(SVGCanvas.number(frame.px(p.0))) \(SVGCanvas.number(frame.py(p.1)))"
        }.joined(separator: " ")
    }
}
