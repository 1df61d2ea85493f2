/// Text and attribute values made safe for HTML and SVG: every value that comes from a run or a
/// log (segment, event and scenario names included) goes through here before it reaches a page.
public enum XMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, so the result is inert in element content and in
    /// single- or double-quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
