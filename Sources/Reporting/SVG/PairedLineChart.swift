/// Two runs of the same series on one plot: each series keeps one colour, drawn solid for the first
/// run and dashed for the second, so a gap between the two lines of a colour is the difference.
public struct PairedLineChart: Sendable {
    public struct Pair: Sendable {
        public var name: String
        public var first: [(x: Double, y: Double)]
        public var second: [(x: Double, y: Double)]

        public init(name: String, first: [(x: Double, y: Double)], second: [(x: Double, y: Double)]) {
            self.name = name
            self.first = first
            self.second = second
        }
    }

    public var id: String
    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var pairs: [Pair]
    /// How the legend names the two runs.
    public var firstName = "run A"
    public var secondName = "run B"

    public init(id: String, title: String, xTitle: String, yTitle: String, pairs: [Pair]) {
        self.id = id
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.pairs = pairs
    }

    public func svg(width: Double = 720, height: Double = 380) -> String {
        let drawn = pairs.map { p in
            Pair(
                name: p.name, first: p.first.filter { $0.x.isFinite && $0.y.isFinite },
                second: p.second.filter { $0.x.isFinite && $0.y.isFinite })
        }
        let points = drawn.flatMap { $0.first + $0.second }
        guard !points.isEmpty else { return Chart.empty(id: id, title: title) }
        let x = Axis(values: points.map(\.x), includeZero: true)
        let y = Axis(values: points.map(\.y), includeZero: true)
        let names = drawn.map(\.name) + ["\(firstName) (solid)", "\(secondName) (dashed)"]
        let columns = Frame.legendColumns(names)
        let frame = Frame(
            width: width, height: height, x: x, y: y, legendRows: (names.count + columns - 1) / columns)
        var c = SVGCanvas(width: width, height: height)
        frame.draw(on: &c, xTitle: xTitle, yTitle: yTitle)
        for (i, p) in drawn.enumerated() {
            for (line, dash) in [(p.first, nil), (p.second, "6 4")] as [([(x: Double, y: Double)], String?)]
            where !line.isEmpty {
                var attributes = [
                    ("d", PathPoints(points: line.map { ($0.x, $0.y) }).map(frame: frame)), ("fill", "none"),
                    ("stroke", Palette.color(i)), ("stroke-width", "2"),
                ]
                if let dash { attributes.append(("stroke-dasharray", dash)) }
                c.element("path", attributes, title: "\(p.name), \(dash == nil ? firstName : secondName)")
            }
        }
        frame.legend(
            on: &c, names: names, colors: drawn.indices.map(Palette.color) + ["#5b6472", "#5b6472"],
            dashed: drawn.map { _ in false } + [false, true])
        let summary = drawn.map { p in
            let ends = [p.first.last, p.second.last].map { $0.map { SVGCanvas.number($0.y) } ?? "–" }
            return "\(p.name) ends at \(ends[0]) in \(firstName) and \(ends[1]) in \(secondName)"
        }.joined(separator: "; ")
        return c.svg(id: id, title: title, description: "\(yTitle) against \(xTitle). \(summary).")
    }
}
