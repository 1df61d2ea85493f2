public import UsageModel

/// An experiment's exposures, read beside a log: who was in which arm of each comparison, and from which
/// day (`segmentlab simulate --assignments-out` writes one; docs/importing.md gives the format).
///
/// Each comparison sets one treatment arm, named as the comparison, against one control arm: the table an
/// experimentation platform keeps of triggered users, with the day each was first triggered (for a
/// control user, the day the treatment would have reached them).
public struct ExposureTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var comparison: String
        public var user: String
        public var account: String
        public var arm: String
        public var indexDate: CivilDate
        /// Whether `arm` is the comparison's treatment arm.
        public var treated: Bool { arm == comparison }
    }

    public let path: String
    /// In the file's order.
    public let rows: [Row]
    /// The comparisons in order of first appearance, each with the name of its control arm.
    public let comparisons: [(name: String, control: String)]

    public static let columns = ["comparison", "user_id", "account_id", "arm", "index_date"]

    /// Reads and checks the table; every problem is reported at its line, in one pass.
    ///
    /// - Throws: ``EventImportError`` for a missing file or column, and for rows that break the format.
    public init(path: String) throws {
        var (raw, problems) = try SideTable.read(path: path, columns: Self.columns)
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        var arms: [String: [String]] = [:]
        var order: [String] = []
        for r in raw {
            let v = r.values
            guard let date = CivilDate(iso: v[4]) else {
                problems.append((r.line, "\(path):\(r.line): index_date '\(v[4])' is not a date YYYY-MM-DD"))
                continue
            }
            let key = v[0] + "\u{0}" + v[1]
            if let earlier = seen[key] {
                problems.append(
                    (r.line, "\(path):\(r.line): '\(v[1])' is already in comparison '\(v[0])' (line \(earlier))"))
                continue
            }
            seen[key] = r.line
            if arms[v[0]] == nil { order.append(v[0]) }
            if !arms[v[0], default: []].contains(v[3]) { arms[v[0], default: []].append(v[3]) }
            rows.append(Row(comparison: v[0], user: v[1], account: v[2], arm: v[3], indexDate: date))
        }
        var comparisons: [(String, String)] = []
        for name in order {
            let names = arms[name] ?? []
            let controls = names.filter { $0 != name }
            if names.contains(name) && controls.count == 1 {
                comparisons.append((name, controls[0]))
            } else {
                problems.append(
                    (
                        Int.max,
                        "\(path): comparison '\(name)' has the arms " + names.map { "'\($0)'" }.joined(separator: ", ")
                            + ": each comparison needs its treatment arm (named as the comparison) and one control arm"
                    ))
            }
        }
        try SideTable.check(problems, path: path)
        self.path = path
        self.rows = rows
        self.comparisons = comparisons
    }
}
