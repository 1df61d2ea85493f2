extension Charts {
    /// Builds SVG markup line by line. Attribute values and text always pass through
    /// `XMLText.escape`; attribute names are literals of this module.
    struct SVGWriter {
        private(set) var lines: [String] = []
        private var depth = 0

        var output: String { lines.joined(separator: "\n") }

        mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
            emit("<\(name)\(Self.attributes(attributes))>")
            depth += 1
        }

        mutating func close(_ name: String) {
            depth -= 1
            emit("</\(name)>")
        }

        /// One element on one line. `tooltip` becomes a `<title>` child, which browsers show on
        /// hover and screen readers read: the full text of a cut label, the exact value of a cell.
        mutating func element(
            _ name: String, _ attributes: [(String, String)] = [], text: String? = nil, tooltip: String? = nil
        ) {
            let inner = (tooltip.map { "<title>\(XMLText.escape($0))</title>" } ?? "") + (text.map(XMLText.escape) ?? "")
            if inner.isEmpty {
                emit("<\(name)\(Self.attributes(attributes))/>")
            } else {
                emit("<\(name)\(Self.attributes(attributes))>\(inner)</\(name)>")
            }
        }

        /// A `<text>` that fits in `maxCharacters`: longer text is cut with an ellipsis and keeps its
        /// full wording in a `<title>` child.
        mutating func label(_ text: String, maxCharacters: Int, _ attributes: [(String, String)]) {
            let fitted = Charts.truncate(text, maxCharacters: maxCharacters)
            element("text", attributes, text: fitted, tooltip: fitted == text ? nil : text)
        }

        /// The lines of another writer, nested under the current element.
        mutating func append(_ other: SVGWriter) {
            let indent = String(repeating: "  ", count: depth)
            lines.append(contentsOf: other.lines.map { indent + $0 })
        }

        private mutating func emit(_ line: String) {
            lines.append(String(repeating: "  ", count: depth) + line)
        }

        static func attributes(_ pairs: [(String, String)]) -> String {
            pairs.map { " \($0.0)=\"\(XMLText.escape($0.1))\"" }.joined()
        }
    }

    /// `text` cut to at most `maxCharacters` characters (grapheme clusters), the last being "…".
    static func truncate(_ text: String, maxCharacters: Int) -> String {
        let limit = max(maxCharacters, 2)
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit - 1))
        while cut.last?.isWhitespace == true { cut.removeLast() }
        return cut + "…"
    }

    /// How many characters of a label fit in `width` pixels at `fontSize`.
    static func characters(fitting width: Double, fontSize: Double) -> Int {
        max(2, Int((width / (fontSize * Style.characterWidth)).rounded(.down)))
    }

    /// Rough width of `text` at `fontSize`, for laying out legends and margins.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * Style.characterWidth
    }
}
