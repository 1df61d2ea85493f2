/// The plotting area of an x/y chart with its axes, ticks, grid and axis titles.
struct Frame {
    let left = 64.0
    let right: Double
    let top = 16.0
    let bottom: Double
    let x: Axis
    let y: Axis

    /// Series per legend row: four short names, or two long ones.
    static func legendColumns(_ names: [String]) -> Int { names.contains { $0.count > 22 } ? 2 : 4 }

    init(width: Double, height: Double, x: Axis, y: Axis, legendRows: Int = 0) {
        right = width - 40
        bottom = height - 48 - Double(legendRows) * 18
        self.x = x
        self.y = y
    }

    func px(_ v: Double) -> Double { x.map(v, left, right) }
    func py(_ v: Double) -> Double { y.map(v, bottom, top) }

    /// Axes, grid lines, tick labels and titles; `xLabel` formats x ticks (dates, percentages).
    func draw(
        on c: inout SVGCanvas, xTitle: String, yTitle: String, xLabel: ((Double) -> String)? = nil,
        yLabel: ((Double) -> String)? = nil
    ) {
        for t in y.ticks {
            c.line(left, py(t), right, py(t), stroke: "#e4e7eb")
            c.text(left - 6, py(t) + 4, yLabel?(t) ?? y.label(t), anchor: "end", size: 11, color: "#5b6472")
        }
        for t in x.ticks {
            c.line(px(t), bottom, px(t), bottom + 4, stroke: "#5b6472")
            c.text(px(t), bottom + 17, xLabel?(t) ?? x.label(t), anchor: "middle", size: 11, color: "#5b6472")
        }
        c.line(left, bottom, right, bottom, stroke: "#5b6472")
        c.line(left, top, left, bottom, stroke: "#5b6472")
        c.text((left + right) / 2, bottom + 34, xTitle, anchor: "middle", size: 12)
        c.text(16, (top + bottom) / 2, yTitle, anchor: "middle", size: 12, rotate: true)
    }

    /// A legend under the plot: a swatch and a name per series, wrapping into rows.
    func legend(on c: inout SVGCanvas, names: [String], colors: [String], dashed: [Bool] = []) {
        let columns = Self.legendColumns(names)
        for (i, name) in names.enumerated() {
            let row = Double(i / columns)
            let x0 = left + Double(i % columns) * ((right - left) / Double(columns))
            let y0 = bottom + 48 + row * 18
            if i < dashed.count, dashed[i] {
                c.line(x0, y0 - 4, x0 + 18, y0 - 4, stroke: colors[i], width: 2, dash: "4 3")
            } else {
                c.element(
                    "rect",
                    [
                        ("x", SVGCanvas.number(x0)), ("y", SVGCanvas.number(y0 - 10)), ("width", "18"),
                        ("height", "10"),
                        ("fill", colors[i]),
                    ])
            }
            c.text(x0 + 24, y0, Chart.shorten(name, columns == 4 ? 22 : 48), size: 11)
        }
    }
}

enum Chart {
    /// Long labels cut with an ellipsis; the full text stays in the table beside the chart.
    static func shorten(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A chart with nothing to draw says so instead of drawing empty axes.
    static func empty(id: String, title: String, width: Double = 720, height: Double = 120) -> String {
        var c = SVGCanvas(width: width, height: height)
        c.text(width / 2, height / 2, "No data to draw.", anchor: "middle", size: 13, color: "#5b6472")
        return c.svg(id: id, title: title, description: "No data to draw.")
    }
}
