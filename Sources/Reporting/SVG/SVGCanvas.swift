import Foundation
import UsageModel

/// A small SVG writer: elements with escaped attributes and text, numbers with fixed decimals so
/// the same chart is always the same bytes.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = DecimalText.fixed(rounded, 2)
        while text.hasSuffix("0") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(XMLText.escape($0.1))\"" }.joined()
    }

    mutating func element(_ name: String, _ pairs: [(String, String)], text: String? = nil, title: String? = nil) {
        let inner = (title.map { "<title>\(XMLText.escape($0))</title>" } ?? "") + (text.map(XMLText.escape) ?? "")
        body.append(
            inner.isEmpty
                ? "<\(name)\(Self.attributes(pairs))/>" : "<\(name)\(Self.attributes(pairs))>\(inner)</\(name)>")
    }

    mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        var pairs = [
            ("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)),
            ("stroke", stroke), ("stroke-width", Self.number(width)),
        ]
        if let dash { pairs.append(("stroke-dasharray", dash)) }
        element("line", pairs)
    }

    mutating func text(
        _ x: Double, _ y: Double, _ text: String, anchor: String = "start", size: Double = 12,
        color: String = "#1d2330",
        rotate: Bool = false, weight: String? = nil
    ) {
        var pairs = [
            ("x", Self.number(x)), ("y", Self.number(y)), ("text-anchor", anchor), ("font-size", Self.number(size)),
            ("fill", color),
        ]
        if rotate { pairs.append(("transform", "rotate(-90 \(Self.number(x)) \(Self.number(y)))")) }
        if let weight { pairs.append(("font-weight", weight)) }
        element("text", pairs, text: text)
    }

    /// The complete element, with a title and a description for screen readers.
    func svg(id: String, title: String, description: String) -> String {
        let open =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
            + "role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"system-ui, sans-serif\">"
        return
            ([
                open, "<title id=\"\(id)-title\">\(XMLText.escape(title))</title>",
                "<desc id=\"\(id)-desc\">\(XMLText.escape(description))</desc>",
            ] + body + ["</svg>"]).joined(separator: "\n")
    }
}

/// Colours that stay apart for colour-blind readers: Okabe and Ito, "Color Universal Design"
/// (2002), without its black and yellow, which vanish on white.
enum Palette {
    static let qualitative = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]

    static func color(_ i: Int) -> String { qualitative[i % qualitative.count] }

    /// White to a dark blue, for shares in [0, 1].
    static func sequential(_ x: Double) -> String {
        let t = min(1, max(0, x.isFinite ? x : 0))
        let from = (247.0, 251.0, 255.0)
        let to = (8.0, 48.0, 107.0)
        func channel(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * t).rounded()) }
        let rgb = [channel(from.0, to.0), channel(from.1, to.1), channel(from.2, to.2)]
        return "#" + rgb.map { String(format: "%02x", $0) }.joined()
    }

    /// Text colour readable on `sequential(x)`.
    static func textOn(_ x: Double) -> String { x > 0.5 ? "#ffffff" : "#1d2330" }
}
