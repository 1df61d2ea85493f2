import Foundation
import Testing

@testable import Reporting

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("SVG charts")
struct ChartTests {
    /// Parses the SVG as XML and returns the elements with the given name.
    static func elements(_ name: String, in svg: String) throws -> [XMLElement] {
        let document = try XMLDocument(xmlString: svg)
        return try document.nodes(forXPath: "//*[local-name()='\(name)']").compactMap { $0 as? XMLElement }
    }

    static func attribute(_ name: String, of element: XMLElement) -> String? {
        element.attributes?.first { $0.name == name || $0.localName == name }?.stringValue
    }

    @Test(
        "nice ticks: steps of 1, 2 or 5 times a power of ten",
        arguments: [
            ([0.0, 97], [0.0, 20, 40, 60, 80, 100]),
            ([-3.2, 7.9], [-4.0, -2, 0, 2, 4, 6, 8]),
            ([0.0, 0.034], [0.0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035]),
        ])
    func ticks(values: [Double], expected: [Double]) {
        let axis = Axis(values: values)
        #expect(axis.ticks.count == expected.count)
        for (t, e) in zip(axis.ticks, expected) { #expect(abs(t - e) < 1e-12, "\(axis.ticks)") }
        let unit = Axis(values: [0.3], fixed: 0...1)
        #expect(unit.ticks == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
    }

    @Test("a step line goes across, then down, through the exact points")
    func stepPath() throws {
        var chart = LineChart(
            id: "km", title: "Survival", xTitle: "days", yTitle: "share",
            series: [.init(name: "arm", points: [(0, 1), (0.5, 0.5), (1, 0.25)])])
        chart.step = true
        chart.unitRange = true
        // Plot area 64…680 × 16…312 for 720 × 360: x = 64 + 616·x, y = 312 − 296·y.
        let paths = try Self.elements("path", in: chart.svg()).compactMap { Self.attribute("d", of: $0) }
        #expect(paths.contains("M64 16 L372 16 L372 164 L680 164 L680 238"))
    }

    @Test("a 3 × 3 heat map has nine cells with their share, count and colour")
    func heatMap() throws {
        let map = HeatMap(
            id: "t", title: "Transitions", rowTitle: "from", columnTitle: "to", rows: ["a", "b", "c"],
            columns: ["a", "b", "c"], values: [[0.5, 0.25, 0.25], [0, 1, 0], [nil, nil, nil]],
            counts: [[2, 1, 1], [0, 7, 0], [0, 0, 0]])
        let svg = map.svg()
        let cells = try Self.elements("rect", in: svg)
        #expect(cells.count == 9)
        #expect(Self.attribute("fill", of: cells[0]) == Palette.sequential(0.5))
        #expect(Self.attribute("fill", of: cells[4]) == "#08306b")
        #expect(Self.attribute("fill", of: cells[8]) == "#ffffff")
        let texts = try Self.elements("text", in: svg).map { $0.stringValue ?? "" }
        #expect(texts.contains("50 %") && texts.contains("n=7") && texts.contains("100 %"))
        // Light text on the darkest cell, dark text on light ones.
        #expect(Palette.textOn(1) == "#ffffff" && Palette.textOn(0.1) == "#1d2330")
    }

    @Test("stacked areas: the top band ends at the total")
    func stacked() throws {
        let chart = StackedAreaChart(
            id: "s", title: "Sizes", yTitle: "users", labels: ["d1", "d2"],
            series: [("x", [10, 20]), ("y", [30, 20])])
        let svg = chart.svg(width: 720, height: 380)
        // Totals 40 and 40 on an axis 0…40 (steps of 10): the top band's upper edge is the plot's top, y = 16.
        let bands = try Self.elements("path", in: svg).compactMap { Self.attribute("d", of: $0) }
        #expect(bands.count == 2)
        #expect(bands[1].hasPrefix("M64 16 L680 16 "))
    }

    @Test("names are escaped, output is the same bytes twice, empty input says so")
    func safety() throws {
        let hostile = "<script>alert(1)</script>"
        let chart = LineChart(
            id: "r", title: "ROC", xTitle: "fpr", yTitle: "tpr",
            series: [.init(name: hostile, points: [(0, 0), (1, 1)]), .init(name: "b", points: [(0, 0), (1, 1)])])
        let svg = chart.svg()
        #expect(!svg.contains(hostile))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(chart.svg() == svg)
        _ = try XMLDocument(xmlString: svg)
        let forest = IntervalChart(id: "f", title: "Lift", xTitle: "pp", rows: [])
        #expect(forest.svg().contains("No data to draw."))
        #expect(try Self.elements("desc", in: svg).first?.stringValue?.contains("tpr against fpr") == true)
    }
}
