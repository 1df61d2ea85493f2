import Foundation
import Stats

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#endif

/// The CDNOW sample of Fader & Hardie (2 357 customers who first bought in the first quarter of 1997, 39 weeks of
/// calibration ending 1997-09-30), summarized per customer in `Tests/Fixtures/cdnow/cdnow-summary.csv` (see the
/// README there for its source and derivation). Times are in weeks.
enum CDNOW {
    /// The rows of the fixture, in file order, keyed by the customer id as well.
    static let rows: [(id: Int, customer: CustomerSummary)] = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        url.appendPathComponent("Fixtures/cdnow/cdnow-summary.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("cannot read \(url.path)")
        }
        var rows: [(id: Int, customer: CustomerSummary)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count == 4, let id = Int(fields[0]), let x = Int(fields[1]), let tx = Double(fields[2]),
                let T = Double(fields[3]), let customer = try? CustomerSummary(x: x, tx: tx, T: T)
            else { fatalError("bad fixture line: \(line)") }
            rows.append((id, customer))
        }
        return rows
    }()

    static let customers: [CustomerSummary] = rows.map(\.customer)

    static func customer(_ id: Int) -> CustomerSummary {
        rows.first { $0.id == id }!.customer
    }

    /// Customers whose predictions are checked: 1 (x = 2, the first row of Fader & Hardie's spreadsheet), 3 (no repeat
    /// purchase), 157 (the most repeat purchases, 29, the last just before T), 1901 (21 purchases, then silent for
    /// 24.6 weeks) and 59 (one repeat purchase on the last day, tx = T).
    static let probeIDs = [1, 3, 157, 1901, 59]

    /// The BG/NBD fitted once for all tests that need it.
    static let bgnbd = Result { try BGNBD.fit(customers) }
    /// The Pareto/NBD fitted once for all tests that need it.
    static let paretoNBD = Result { try ParetoNBD.fit(customers) }
}

/// |actual − published| ≤ half a unit in the last published decimal: `actual` rounds to the published figure.
func roundsTo(_ actual: Double, _ published: Double, decimals: Int) -> Bool {
    abs(actual - published) <= 0.5 * pow(10, Double(-decimals)) + 1e-12
}
