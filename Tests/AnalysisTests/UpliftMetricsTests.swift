import Analysis
import Testing

// Reference values: scikit-uplift 0.5.1 (`sklift.metrics`) with scikit-learn 1.9.1 and NumPy 2.4.6 (Python 3.11),
// every number printed with repr:
//
//     from sklearn.metrics import auc
//     from sklift.metrics import (qini_curve, perfect_qini_curve, qini_auc_score, uplift_curve,
//                                 perfect_uplift_curve, uplift_auc_score, uplift_at_k)
//     qini_curve(y, s, t); uplift_curve(y, s, t); auc(*qini_curve(y, s, t)); auc(*uplift_curve(y, s, t))
//     perfect_qini_curve(y, t); perfect_qini_curve(y, t, negative_effect=False); perfect_uplift_curve(y, t)
//     qini_auc_score(y, s, t); qini_auc_score(y, s, t, negative_effect=False); uplift_auc_score(y, s, t)
//     uplift_at_k(y, s, t, strategy="overall", k=k); uplift_at_k(y, s, t, strategy="by_group", k=k)
//
// Tolerance 1e-9 (absolute, on values up to about 170): both sides add the same handful of small integers and
// ratios, in orders that differ at most in the last bits (NumPy sums pairwise), so they agree to about 1e-13.
@Suite("Uplift: Qini, AUUC and uplift at k against scikit-uplift")
struct UpliftMetricsTests {
    static let y = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0].map { $0 == 1 }
    static let t = [1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1].map { $0 == 1 }
    /// Scores with ties, some of them across arms and at the cut of uplift at k.
    static let s = [
        0.4, 0.1, 0.4, 0.7, 0.2, 0.4, 0.9, 0.1, -0.2, 0.3, 0.7, 0.0, 0.1, 0.2, 0.5, 0.5, -0.1, 0.4, 0.3, 0.0, 0.9,
        0.6, 0.2, 0.1,
    ]

    static func expect(_ curve: UpliftCurve, users: [Double], values: [Double]) {
        #expect(curve.points.map(\.users) == users)
        #expect(curve.points.count == values.count)
        for (point, value) in zip(curve.points, values) {
            #expect(close(point.value, value, tolerance: 1e-9), "at \(point.users)")
        }
    }

    @Test func curvesMatchScikitUplift() throws {
        let qini = try UpliftMetrics.qiniCurve(outcomes: Self.y, scores: Self.s, treated: Self.t)
        let users: [Double] = [0, 2, 4, 5, 7, 11, 13, 16, 20, 22, 23, 24]
        Self.expect(
            qini, users: users,
            values: [
                0.0, 2.0, 3.0, 3.0, 4.0, 3.3333333333333335, 3.75, 2.1428571428571423, 1.5, 1.2000000000000002,
                0.7999999999999998, 0.09090909090909083,
            ])
        #expect(close(qini.area, 59.02045454545455, tolerance: 1e-9))
        let uplift = try UpliftMetrics.upliftCurve(outcomes: Self.y, scores: Self.s, treated: Self.t)
        Self.expect(
            uplift, users: users,
            values: [
                0.0, 2.0, 3.0, 3.75, 5.6000000000000005, 4.583333333333334, 5.416666666666666, 3.8095238095238093, 2.5,
                2.1999999999999993, 1.4153846153846155, 0.1678321678321688,
            ])
        #expect(close(uplift.area, 83.8493006993007, tolerance: 1e-9))

        let perfectQini = try UpliftMetrics.perfectQiniCurve(outcomes: Self.y, treated: Self.t)
        Self.expect(perfectQini, users: [0, 6, 19, 24], values: [0, 6, 6, 0.09090909090909083])
        #expect(close(perfectQini.area, 111.22727272727272, tolerance: 1e-9))
        let flat = try UpliftMetrics.perfectQiniCurve(outcomes: Self.y, treated: Self.t, negativeEffect: false)
        #expect(flat.points.count == 3 && flat.points[2].users == 24)
        #expect(close(flat.points[1].users, 0.09090909090909083, tolerance: 1e-9))
        #expect(close(flat.points[2].value, 0.09090909090909083, tolerance: 1e-9))
        let perfectUplift = try UpliftMetrics.perfectUpliftCurve(outcomes: Self.y, treated: Self.t)
        Self.expect(
            perfectUplift, users: [0, 6, 12, 19, 24], values: [0, 6, 12, 8.76923076923077, 0.1678321678321688])
        #expect(close(perfectUplift.area, 167.034965034965, tolerance: 1e-9))
    }

    @Test func normalisedAreasMatchScikitUplift() throws {
        let qini = try UpliftMetrics.qiniAUCScore(outcomes: Self.y, scores: Self.s, treated: Self.t)
        #expect(close(qini, 0.5259801898472969, tolerance: 1e-9))
        let flat = try UpliftMetrics.qiniAUCScore(
            outcomes: Self.y, scores: Self.s, treated: Self.t, negativeEffect: false)
        #expect(close(flat, 53.30399239543731, tolerance: 1e-9))
        let uplift = try UpliftMetrics.upliftAUCScore(outcomes: Self.y, scores: Self.s, treated: Self.t)
        #expect(close(uplift, 0.4959085515721672, tolerance: 1e-9))
    }

    /// k = 0.25 cuts through the tie at 0.5 (users 14 and 15, of different arms) and k = 0.3 by group through the
    /// tie at 0.7 among the treated (users 3 and 10, of different outcomes): scikit-uplift takes the later user.
    @Test(
        arguments: [
            (0.1, nil, 1.0), (0.25, 0.75, 0.6666666666666666), (0.3, 0.8, 0.3333333333333333),
            (0.5, 0.5, 0.43333333333333335), (0.7, 0.23809523809523808, 0.23809523809523808),
        ] as [(Double, Double?, Double)])
    func upliftAtKMatchesScikitUplift(k: Double, overall: Double?, byGroup: Double) throws {
        let first = try UpliftMetrics.upliftAtK(
            outcomes: Self.y, scores: Self.s, treated: Self.t, share: k, strategy: .overall)
        if let overall {
            #expect(close(first, overall, tolerance: 1e-9))
        } else {
            #expect(first == nil)  // scikit-uplift: NaN, no control user in the top 2
        }
        let grouped = try UpliftMetrics.upliftAtK(
            outcomes: Self.y, scores: Self.s, treated: Self.t, share: k, strategy: .byGroup)
        #expect(close(grouped, byGroup, tolerance: 1e-9))
    }

    @Test func evaluationGathersTheSameFigures() throws {
        let evaluation = try UpliftEvaluation(scores: Self.s, treated: Self.t, outcomes: Self.y, shares: [0.25])
        #expect(evaluation.users == 24 && evaluation.treatedUsers == 13)
        #expect(close(evaluation.qiniArea, 59.02045454545455, tolerance: 1e-9))
        #expect(close(evaluation.qiniCoefficient, 0.5259801898472969, tolerance: 1e-9))
        #expect(close(evaluation.upliftArea, 83.8493006993007, tolerance: 1e-9))
        #expect(close(evaluation.normalisedUpliftArea, 0.4959085515721672, tolerance: 1e-9))
        #expect(evaluation.upliftAtK.count == 1)
        #expect(close(evaluation.upliftAtK[0].overall, 0.75, tolerance: 1e-9))
        #expect(close(evaluation.upliftAtK[0].byGroup, 0.6666666666666666, tolerance: 1e-9))
        #expect(evaluation.qiniCurve.points.count == 12 && evaluation.trueEffect == nil)
    }

    @Test func thinningKeepsTheEndsAndAtMost101Points() {
        let curve = UpliftCurve(points: (0...1000).map { UpliftCurve.Point(users: Double($0), value: Double($0 % 7)) })
        let thin = curve.thinned()
        #expect(thin.points.count == 101)
        #expect(thin.points.first == curve.points.first && thin.points.last == curve.points.last)
        #expect(thin.points[50].users == 500)
        let short = UpliftCurve(points: Array(curve.points.prefix(10)))
        #expect(short.thinned() == short)
    }

    @Test func rejectsBadInput() {
        #expect(throws: ExperimentError.self) {
            try UpliftMetrics.qiniCurve(outcomes: Self.y, scores: Array(Self.s.dropLast()), treated: Self.t)
        }
        #expect(throws: ExperimentError.self) {
            try UpliftMetrics.upliftAtK(outcomes: Self.y, scores: Self.s, treated: Self.t, share: 1, strategy: .overall)
        }
        var bad = Self.s
        bad[3] = .nan
        #expect(throws: ExperimentError.self) {
            try UpliftMetrics.upliftCurve(outcomes: Self.y, scores: bad, treated: Self.t)
        }
    }
}
