import UsageModel

/// `segments.csv`: the size of every segment at every evaluation, long format.
public enum SegmentSizesCSV {
    public static func render(_ s: SegmentationResults) -> String {
        var out = "date,segment,users\n"
        for e in s.evaluations {
            for name in s.segments.map(\.name) + ["unmatched"] {
                let users = name == "unmatched" ? e.unmatched : (e.sizes[name] ?? 0)
                out += CSVText.spreadsheetRow([e.date, name, String(users)])
            }
        }
        return out
    }
}
