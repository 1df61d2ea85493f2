/// Adjusted p-values for a family of tests, e.g. every metric of every arm against the control.
///
/// Each function returns one adjusted value per input, in the input order, so they can be reported beside the raw
/// p-values; a hypothesis is rejected at level α when its adjusted value is ≤ α. Adjusted values are monotone in
/// the raw ones and capped at 1.
public enum MultipleTesting {
    /// Holm's (1979) step-down adjustment: controls the family-wise error rate under any dependence, and is
    /// uniformly more powerful than Bonferroni.
    ///
    /// With the p-values sorted ascending, p₍ᵢ₎ becomes maxⱼ≤ᵢ min(1, (m − j + 1) p₍ⱼ₎).
    /// - Parameter pValues: Each in [0, 1]; an empty array gives an empty array.
    /// - Returns: Adjusted p-values in the input order.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a p-value outside [0, 1] or NaN.
    /// - Complexity: O(m log m).
    public static func holm(_ pValues: [Double]) throws -> [Double] {
        try validate(pValues)
        let m = pValues.count
        let order = ascendingOrder(pValues)
        var adjusted = [Double](repeating: 0, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Benjamini and Hochberg's (1995) step-up adjustment (q-values): controls the false discovery rate for
    /// independent or positively dependent tests; less strict than Holm when many effects are real.
    ///
    /// With the p-values sorted ascending, p₍ᵢ₎ becomes minⱼ≥ᵢ min(1, m p₍ⱼ₎ / j).
    /// - Parameter pValues: Each in [0, 1]; an empty array gives an empty array.
    /// - Returns: Adjusted p-values in the input order.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a p-value outside [0, 1] or NaN.
    /// - Complexity: O(m log m).
    public static func benjaminiHochberg(_ pValues: [Double]) throws -> [Double] {
        try validate(pValues)
        let m = pValues.count
        let order = ascendingOrder(pValues)
        var adjusted = [Double](repeating: 0, count: m)
        var running = 1.0
        for (rank, index) in order.enumerated().reversed() {
            running = min(running, Double(m) * pValues[index] / Double(rank + 1))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Indices sorted by p-value; ties keep their input order so the result does not depend on the sort.
    private static func ascendingOrder(_ pValues: [Double]) -> [Int] {
        pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
    }

    private static func validate(_ pValues: [Double]) throws {
        if let index = pValues.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw ExperimentError.invalidArgument("p-values must be in [0, 1] (p-value \(index) is \(pValues[index]))")
        }
    }
}
