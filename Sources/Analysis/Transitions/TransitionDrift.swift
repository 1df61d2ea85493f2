import Stats

/// The drift test of one cell: did the rate of moving from one segment to another change between the first
/// and the second half of a run?
public struct DriftTest: Sendable, Codable, Equatable {
    public let from: String
    public let to: String
    /// The cell's rate in each half, and their difference (second − first) with its cluster-robust standard
    /// error and two-sided p-value. Confounded with ageing: the second half holds older users.
    public let firstHalf: Double
    public let secondHalf: Double
    public let difference: Double
    public let standardError: Double
    public let unstratifiedPValue: Double
    /// The difference at the same tenure: the halves compared within each band of tenure and combined
    /// with Mantel–Haenszel weights Nᵦ₁Nᵦ₂/(Nᵦ₁ + Nᵦ₂) over the bands seen in both halves.
    public let sameTenureDifference: Double
    public let sameTenureStandardError: Double
    /// Two-sided p-value of the same-tenure difference (z = difference / SE, normal reference).
    public let pValue: Double
    /// Holm's adjustment of ``pValue`` over every cell tested.
    public let adjustedPValue: Double
    /// Whether ``adjustedPValue`` is below the family-wise level.
    public let flagged: Bool
}

public enum TransitionDrift {
    /// Lower bounds of the bands of tenure (days since sign-up) within which the halves are compared.
    public static let tenureBands = [0, 28, 56, 112]

    /// The stratum of a transition: `half * bands + band`.
    static func stratum(half: Int, tenure: Int) -> Int {
        half * tenureBands.count + (tenureBands.lastIndex { tenure >= $0 } ?? 0)
    }

    /// Tests every cell whose rate can be compared at the same tenure in the two halves, from the users'
    /// moments stratified by half and band of tenure (``TransitionCounts/moments``); Holm's adjustment
    /// over the cells tested, flagged at `alpha`.
    ///
    /// Standard errors are cluster-robust by user (``ClusteredRatioMoments/combination(_:)``), and a user
    /// seen in both halves or in several bands is one cluster, so the covariance between the halves is in.
    public static func tests(_ moments: TransitionMoments, labels: [String], alpha: Double = 0.05) throws
        -> [DriftTest]
    {
        let bands = tenureBands.count
        precondition(moments.strata == 2 * bands)
        let normal = try Normal(mean: 0, sd: 1)
        let first = Array(0..<bands)
        let second = Array(bands..<(2 * bands))
        var raw: [(from: Int, to: Int, plain: (Double, Double), same: (Double, Double), halves: (Double, Double))] = []
        for i in labels.indices {
            let row = moments.cell(from: i, to: 0)
            // Mantel–Haenszel weights of the bands seen in both halves (the same for every cell of the row).
            var terms: [ClusteredRatioMoments.Term] = []
            var total = 0.0
            for b in 0..<bands {
                let n1 = Double(row.trials[b])
                let n2 = Double(row.trials[bands + b])
                guard n1 > 0, n2 > 0 else { continue }
                let w = n1 * n2 / (n1 + n2)
                total += w
                terms.append(.init(strata: [bands + b], coefficient: w))
                terms.append(.init(strata: [b], coefficient: -w))
            }
            guard total > 0 else { continue }
            terms = terms.map { .init(strata: $0.strata, coefficient: $0.coefficient / total) }
            for j in labels.indices {
                let cell = moments.cell(from: i, to: j)
                guard let p1 = cell.combination([.init(strata: first, coefficient: 1)]),
                    let p2 = cell.combination([.init(strata: second, coefficient: 1)]),
                    let plain = cell.combination([
                        .init(strata: second, coefficient: 1), .init(strata: first, coefficient: -1),
                    ]),
                    let same = cell.combination(terms),
                    same.variance > 0, plain.variance > 0
                else { continue }
                raw.append(
                    (i, j, (plain.estimate, plain.variance), (same.estimate, same.variance), (p1.estimate, p2.estimate))
                )
            }
        }
        func twoSided(_ estimate: Double, _ variance: Double) -> Double {
            2 * normal.survival(abs(estimate) / variance.squareRoot())
        }
        let pValues = raw.map { twoSided($0.same.0, $0.same.1) }
        let adjusted = try MultipleTesting.holm(pValues)
        return raw.indices.map { r in
            let t = raw[r]
            return DriftTest(
                from: labels[t.from], to: labels[t.to], firstHalf: t.halves.0, secondHalf: t.halves.1,
                difference: t.plain.0, standardError: t.plain.1.squareRoot(),
                unstratifiedPValue: twoSided(t.plain.0, t.plain.1), sameTenureDifference: t.same.0,
                sameTenureStandardError: t.same.1.squareRoot(), pValue: pValues[r], adjustedPValue: adjusted[r],
                flagged: adjusted[r] < alpha)
        }
    }
}
