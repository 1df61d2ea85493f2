/// One customer's purchase history in the recency–frequency form that the "buy till you die" models need.
///
/// The clock starts at the customer's first purchase, which is not counted: ``x`` is the number of *repeat*
/// transactions in (0, T], ``tx`` the time of the last of them (0 when there is none) and ``T`` how long the customer
/// has been observed. All times must be in one unit (weeks in the CDNOW examples of Fader, Hardie & Lee); the rate
/// parameters of a fitted model (α, and β for the Pareto/NBD) are then in that unit, and a prediction horizon is too.
///
/// The models treat time as continuous; with daily data, count at most one transaction per day and measure times in
/// whole days (or days / 7 for weeks), as Fader & Hardie do for CDNOW.
public struct CustomerSummary: Sendable, Hashable {
    /// Number of repeat transactions in (0, T]: a whole number ≥ 0.
    public let x: Double
    /// Time of the last repeat transaction, 0 ≤ tx ≤ T (0 when x = 0).
    public let tx: Double
    /// Length of observation since the first purchase, > 0.
    public let T: Double

    /// - Throws: ``GSLError`` (`GSL_EDOM`) when `x` is not a whole number ≥ 0, `T` is not positive and finite,
    ///   `tx` is outside [0, T], or `tx` is not 0 while `x` is 0.
    public init(x: Double, tx: Double, T: Double) throws {
        let function = "CustomerSummary(x:tx:T:)"
        guard x.isFinite, x >= 0, x.rounded() == x else {
            throw GSL.domainError(function, "x must be a whole number ≥ 0 (got \(x))")
        }
        try Check.positive(T, "T", in: function)
        guard tx.isFinite, tx >= 0, tx <= T else {
            throw GSL.domainError(function, "tx must lie in [0, T] = [0, \(T)] (got \(tx))")
        }
        guard x > 0 || tx == 0 else {
            throw GSL.domainError(function, "tx must be 0 when x is 0 (got \(tx))")
        }
        self.x = x
        self.tx = tx
        self.T = T
    }

    /// The same with an integer count.
    public init(x: Int, tx: Double, T: Double) throws {
        try self.init(x: Double(x), tx: tx, T: T)
    }
}

/// Distinct customer summaries with their multiplicities, in a fixed order (by x, then tx, then T), so that a sum
/// over customers is the same, bit for bit, on every run.
struct CustomerGroups: Sendable {
    let customers: [CustomerSummary]
    let counts: [Double]
    /// Number of customers, multiplicities included.
    let total: Int

    init(_ list: [CustomerSummary]) {
        var multiplicity: [CustomerSummary: Int] = [:]
        for customer in list {
            multiplicity[customer, default: 0] += 1
        }
        let sorted = multiplicity.keys.sorted { ($0.x, $0.tx, $0.T) < ($1.x, $1.tx, $1.T) }
        customers = sorted
        counts = sorted.map { Double(multiplicity[$0]!) }
        total = list.count
    }

    /// Σx / ΣT: repeat transactions per unit of observed time, a scale for starting values of the rate parameters.
    var pooledRate: Double {
        var transactions = 0.0
        var time = 0.0
        for (customer, count) in zip(customers, counts) {
            transactions += count * customer.x
            time += count * customer.T
        }
        return transactions / time
    }

    /// The mean observation length T.
    var meanObservation: Double {
        zip(customers, counts).reduce(0) { $0 + $1.1 * $1.0.T } / Double(total)
    }
}
