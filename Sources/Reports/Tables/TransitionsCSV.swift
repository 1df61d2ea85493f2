import UsageModel
public import Analysis

/// `transitions.csv`: every cell of every transition table of a run, one row each —
/// `group,from,to,count,probability,lower,upper,design_effect` with group `all`, `persona:<name>` or
/// `arm:<name>`; the interval is clustered by user and `design_effect` is its variance over the binomial one.
public enum TransitionsCSV {
    public static func render(_ t: TransitionResults) -> String {
        var out = "group,from,to,count,probability,lower,upper,design_effect\n"
        var groups: [(String, TransitionTable)] = [("all", t.overall)]
        groups += t.byPersona.sorted { $0.key < $1.key }.map { ("persona:\($0.key)", $0.value) }
        groups += t.byArm.sorted { $0.key < $1.key }.map { ("arm:\($0.key)", $0.value) }
        for (group, table) in groups {
            for i in table.labels.indices where table.counts[i].reduce(0, +) > 0 {
                for j in table.labels.indices {
                    func f(_ x: Double?) -> String { x.map { Format.fixed($0, 6) } ?? "" }
                    out += CSVText.spreadsheetRow([
                        group, table.labels[i], table.labels[j], String(table.counts[i][j]),
                        f(table.probabilities[i][j]),
                        f(table.lower[i][j]), f(table.upper[i][j]), f(table.designEffects?[i][j] ?? nil),
                    ])
                }
            }
        }
        return out
    }
}
