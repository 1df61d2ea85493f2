/// CSV as RFC 4180 writes it, for every CSV file SegmentLab writes (event logs and results).
public enum CSVText {
    /// `s` as one field: quoted, with quotes doubled, only when it holds a comma, a quote or a line
    /// break.
    public static func field(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out = "\""
        for c in s.unicodeScalars {
            if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }
}
