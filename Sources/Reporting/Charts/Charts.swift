/// Self-contained SVG charts for the HTML report: inline, no script, no web fonts, nothing fetched.
///
/// Every chart is a value type with a `svg()` method that returns one `<svg>` element. The element
/// scales to the width of its container (`width="100%"`, capped at the chart's natural width) and
/// carries `role="img"` with a `<title>` and a `<desc>` that says in words what the data show, so a
/// screen reader, a printout and a narrow phone screen all get something readable. The same input
/// always gives the same bytes: numbers have fixed decimals and no locale, and nothing depends on
/// the order of a dictionary or the time of day.
///
/// The charts live in this namespace so that their helpers (`Axis`, `Palette`, …) stay out of the
/// module's top level.
public enum Charts {
    /// Typography and neutral colours shared by every chart.
    enum Style {
        static let fontFamily = "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif"
        static let ink = "#1f1f1f"
        static let muted = "#4d4d4d"
        static let axisLine = "#4d4d4d"
        static let grid = "#e2e2e2"
        static let background = "#ffffff"
        static let tickSize = 11.0
        static let titleSize = 12.0
        /// Average advance of a character of the system sans-serif per pixel of font size; only used
        /// to decide where a label must be cut, so a rough figure is enough.
        static let characterWidth = 0.6
    }

    /// Turns a caller's id into one that is valid in XML and in a URL fragment: letters, digits,
    /// `-` and `_`, starting with a letter.
    static func elementID(_ raw: String) -> String {
        var out = ""
        for scalar in raw.unicodeScalars {
            let ok = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
            out.unicodeScalars.append(ok || scalar == "-" || scalar == "_" ? scalar : "-")
        }
        if let first = out.unicodeScalars.first, first.properties.isAlphabetic { return out }
        return "chart-" + out
    }

    /// The outer `<svg>` with its accessible name and description, a white background (so the chart
    /// stays readable on a dark page and on paper) and the body.
    static func document(
        id rawID: String, title: String, description: String, width: Double, height: Double, body: SVGWriter
    ) -> String {
        let id = elementID(rawID)
        var svg = SVGWriter()
        svg.open(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("viewBox", "0 0 \(Number.coordinate(width)) \(Number.coordinate(height))"),
                ("width", "100%"),
                ("style", "max-width: \(Number.coordinate(width))px; height: auto; display: block"),
                ("role", "img"),
                ("aria-labelledby", "\(id)-title \(id)-desc"),
                ("font-family", Style.fontFamily),
                ("font-size", Number.coordinate(Style.titleSize)),
            ])
        svg.element("title", [("id", "\(id)-title")], text: title)
        svg.element("desc", [("id", "\(id)-desc")], text: description)
        svg.element(
            "rect",
            [
                ("width", Number.coordinate(width)), ("height", Number.coordinate(height)),
                ("fill", Style.background),
            ])
        svg.append(body)
        svg.close("svg")
        return svg.output
    }

    /// What a chart without a single drawable value shows: a framed note instead of empty axes.
    static func noData(id: String, title: String, width: Double, height: Double = 160) -> String {
        var body = SVGWriter()
        body.element(
            "rect",
            [
                ("x", "8"), ("y", "8"), ("width", Number.coordinate(width - 16)),
                ("height", Number.coordinate(height - 16)), ("fill", "none"), ("stroke", Style.grid),
                ("stroke-width", "1"),
            ])
        body.element(
            "text",
            [
                ("class", "no-data"), ("x", Number.coordinate(width / 2)), ("y", Number.coordinate(height / 2 + 5)),
                ("text-anchor", "middle"), ("font-size", "14"), ("fill", Style.muted),
            ],
            text: noDataNote)
        return document(
            id: id, title: title, description: "\(noDataNote) The chart has no finite values to show.",
            width: width, height: height, body: body)
    }

    static let noDataNote = "No data to show."

    /// Lists names for a description: all of them when few, else the first ones and how many more.
    static func list(_ items: [String], limit: Int = 8) -> String {
        if items.count <= limit { return items.joined(separator: ", ") }
        return items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }

    static func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : pluralForm ?? singular + "s")
    }
}
