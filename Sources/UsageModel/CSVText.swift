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

    /// A field of a results table, which people open in spreadsheets: as ``field(_:)``, and a cell
    /// a spreadsheet would run as a formula (one starting with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return, unless it is a plain number) gets a leading `'` (OWASP, "CSV Injection");
    /// so does a cell that already starts with `'`. Reading a cell back is therefore exact: drop
    /// one leading `'` if there is one (docs/results-schema.md).
    public static func spreadsheetField(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        if let first = bytes.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x27].contains(first),
            first == 0x27 || !isPlainNumber(bytes)
        {
            return Array(field("'" + text).utf8)
        }
        return Array(field(text).utf8)
    }

    /// A line of a results table: ``spreadsheetField(_:)`` of each field, comma-separated, ending
    /// in a line feed.
    public static func spreadsheetRow(_ fields: [String]) -> String {
        fields.map { String(decoding: spreadsheetField($0), as: UTF8.self) }.joined(separator: ",") + "\n"
    }

    /// Digits with a sign, point and exponent, as `-12.5` or `1e-3`: a number to a spreadsheet, not a formula.
    static func isPlainNumber(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { (0x30...0x39).contains($0) || [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains($0) }
            && Double(String(decoding: bytes, as: UTF8.self)) != nil
    }
}
