import Stats
import Testing

/// A small fixed data set for the boosted trees: 60 rows of three features whose values are exact in float32
/// (scikit-learn's trees read features as float32, so thresholds agree only on such values), an outcome drawn
/// from a logistic model of them, and 8 further rows to score. Made by the script on ``BoostedTreesTests``.
private let rows: [[Double]] = [
    [23.625, 17.75, 2.0], [4.375, 17.25, 0.0], [7.75, 1.5, 3.0], [11.0, 18.0, 1.0], [14.875, 15.75, 2.0],
    [5.625, 12.5, 3.0], [29.875, 4.25, 0.0], [22.125, 17.0, 5.0], [12.75, 7.25, 5.0], [34.75, 8.25, 1.0],
    [3.125, 3.75, 1.0], [27.25, 6.25, 2.0], [12.875, 16.0, 3.0], [38.0, 17.25, 2.0], [11.75, 2.5, 0.0],
    [29.125, 18.5, 2.0], [21.125, 12.25, 2.0], [44.75, 7.25, 2.0], [5.75, 18.75, 0.0], [7.5, 5.5, 1.0],
    [9.875, 2.0, 4.0], [25.125, 16.0, 4.0], [16.375, 4.5, 3.0], [42.5, 5.0, 1.0], [12.0, 17.75, 2.0],
    [9.125, 17.0, 3.0], [25.75, 9.5, 1.0], [30.625, 6.75, 5.0], [2.0, 7.25, 0.0], [14.125, 4.75, 1.0],
    [8.875, 3.75, 0.0], [42.875, 3.75, 5.0], [18.75, 19.25, 3.0], [26.875, 3.0, 2.0], [31.5, 7.75, 3.0],
    [21.875, 17.0, 0.0], [24.0, 8.25, 1.0], [16.25, 16.75, 2.0], [38.0, 11.25, 1.0], [47.125, 8.5, 0.0],
    [40.375, 7.0, 5.0], [37.5, 1.25, 5.0], [35.125, 2.5, 4.0], [21.625, 13.25, 5.0], [9.875, 7.0, 5.0],
    [47.5, 11.0, 5.0], [31.5, 13.75, 1.0], [24.625, 8.75, 2.0], [40.125, 19.25, 2.0], [10.25, 16.5, 4.0],
    [33.875, 17.5, 4.0], [47.375, 0.5, 1.0], [0.625, 8.0, 4.0], [38.75, 19.75, 0.0], [29.5, 8.5, 2.0],
    [40.875, 10.75, 4.0], [41.25, 18.75, 5.0], [7.625, 8.0, 5.0], [35.375, 1.5, 4.0], [44.375, 14.5, 1.0],
]
private let outcomes: [Bool] = [
    false, false, true, false, false, false, false, true, true, false, false, false, false, false, true, false,
    false, true, false, false, true, false, false, true, false, false, false, false, false, false, true, true,
    false, true, true, false, false, false, true, false, true, true, false, true, false, true, false, false, false,
    false, true, true, false, false, true, true, true, true, false, false,
]
private let queries: [[Double]] = [
    [46.25, 7.75, 3.0], [17.5, 1.25, 5.0], [20.0, 5.25, 3.0], [24.75, 13.5, 2.0], [45.5, 14.5, 4.0],
    [32.5, 8.0, 3.0], [1.25, 2.0, 1.0], [23.0, 18.75, 0.0],
]

/// References from scikit-learn 1.9.1's `GradientBoostingClassifier` (whose split criterion is Friedman's
/// improvement, the only one it still has) on NumPy's default generator:
///
/// ```python
/// import numpy as np, warnings
/// from sklearn.ensemble import GradientBoostingClassifier
/// warnings.simplefilter("ignore")
/// rng = np.random.default_rng(2023)
/// n = 60
/// x = np.column_stack([rng.integers(0, 400, n) / 8, rng.integers(0, 80, n) / 4, rng.integers(0, 6, n).astype(float)])
/// eta = -2 + 0.08 * x[:, 0] - 0.15 * x[:, 1] + 0.4 * x[:, 2]
/// y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
/// q = np.column_stack([rng.integers(0, 400, 8) / 8, rng.integers(0, 80, 8) / 4, rng.integers(0, 6, 8).astype(float)])
/// for trees, rate, depth, leaf in [(25, 0.1, 3, 4), (15, 0.3, 2, 1), (30, 0.2, 4, 5)]:
///     runs = [GradientBoostingClassifier(loss="log_loss", subsample=1.0, max_features=None, n_estimators=trees,
///                                        learning_rate=rate, max_depth=depth, min_samples_leaf=leaf, random_state=s)
///             .fit(x, y).predict_proba(np.vstack([x, q]))[:, 1] for s in range(10)]
///     assert all(np.array_equal(r, runs[0]) for r in runs)  # no tie between features: random_state is irrelevant
///     print(f"({trees}, {rate}, {depth}, {leaf}):", ", ".join(repr(float(v)) for v in runs[0]))
/// print("x", ", ".join("[" + ", ".join(repr(float(v)) for v in r) + "]" for r in x))
/// print("y", ", ".join(str(int(v)) for v in y))
/// print("q", ", ".join("[" + ", ".join(repr(float(v)) for v in r) + "]" for r in q))
/// ```
///
/// The assertion checks that ten random states give identical probabilities, so scikit-learn's random order of
/// features cannot change a tree. The generator's seed (2023) was chosen as the first from 2001 on whose data have
/// no two candidate splits of any node within 1e-9 of each other's improvement under the three settings (checked
/// with a line-by-line Python transcription of the algorithm). On an exact tie, frequent in the first tree whose
/// residuals take two values, scikit-learn's choice depends on rounding in its running sums while this code takes
/// the first; seed 2001 had such a tie and the two disagreed there. Off ties the trees must agree.
@Suite("Gradient-boosted trees against scikit-learn")
struct BoostedTreesTests {
    static let references: [(GradientBoostedTrees.Settings, [Double])] = [
        (
            GradientBoostedTrees.Settings(trees: 25, learningRate: 0.1, maxDepth: 3, minSamplesLeaf: 4),
            [
                0.06348736580691393, 0.051182977227097665, 0.7459725558382652, 0.05364365818864768,
                0.06348736580691393, 0.07854450339396647, 0.21844206154877222, 0.8018348227752098,
                0.8018348227752098, 0.3302214719554068, 0.3290276095172174, 0.14777142654180636,
                0.08680483378915833, 0.1438004450116634, 0.7670040212110985, 0.06348736580691393,
                0.06348736580691393, 0.8003776326097541, 0.051182977227097665, 0.0543660524282334,
                0.762487076098613, 0.11925062853184683, 0.14777142654180636, 0.7715789430850882,
                0.06348736580691393, 0.09878667418295178, 0.14128102136868897, 0.3441198471520537,
                0.07897335415661211, 0.13846166723129114, 0.6459367966669578, 0.7555942435981624,
                0.08680483378915833, 0.7042818020627134, 0.5503978672392384, 0.05674296216470453,
                0.14128102136868897, 0.06348736580691393, 0.5648765821349501, 0.4948297499304209,
                0.8788247972413606, 0.7220088472485944, 0.4317249898666452, 0.8018348227752098, 0.346581573301314,
                0.9319124882098213, 0.1498405022491733, 0.16441245044164382, 0.1438004450116634,
                0.11925062853184683, 0.43355044252578456, 0.7837909685508461, 0.10806604646729794,
                0.11946815901007786, 0.35068010462438814, 0.8070768183597891, 0.923245272535273, 0.8018348227752098,
                0.4317249898666452, 0.13559874474565772, 0.8607280046459924, 0.7314072497886682,
                0.14777142654180636, 0.06348736580691393, 0.3679835991921568, 0.5327698237281344,
                0.5050414140177776, 0.05674296216470453,
            ]
        ),
        (
            GradientBoostedTrees.Settings(trees: 15, learningRate: 0.3, maxDepth: 2, minSamplesLeaf: 1),
            [
                0.04635336821654127, 0.0184045737993545, 0.8499270699631268, 0.03675852788725732,
                0.04635336821654127, 0.04686562569282087, 0.23101381579183936, 0.790840431963239,
                0.7339782553641402, 0.13132769941211705, 0.24539392274048966, 0.1649916313663002,
                0.06798679832034227, 0.11752070669260405, 0.8707470387770869, 0.05786125431964324,
                0.06251518495497313, 0.8324472958178571, 0.0184045737993545, 0.053007627685925304,
                0.6764051460169486, 0.12060347050911342, 0.13846144481663397, 0.7583021617724792,
                0.04635336821654127, 0.06798679832034227, 0.10935209267129806, 0.41823386506129484,
                0.053007627685925304, 0.10935209267129806, 0.7644686263362002, 0.8498772512067924,
                0.06798679832034227, 0.814328568986916, 0.6495229078621958, 0.03675852788725732,
                0.10935209267129806, 0.04635336821654127, 0.5858043498852938, 0.517102012257626, 0.882462753129657,
                0.8162270219580022, 0.3366027182214429, 0.7339782553641402, 0.2299386509231387, 0.9857903207041226,
                0.19509164732787895, 0.13523524925237432, 0.11752070669260405, 0.12060347050911342,
                0.5199121542721575, 0.9117197612401791, 0.09665515984669136, 0.07757226060846983,
                0.3223665793477296, 0.8817427238526404, 0.9478824498043451, 0.882012816032305, 0.3366027182214429,
                0.15722091269768995, 0.8817427238526404, 0.7119223900720233, 0.13846144481663397,
                0.06251518495497313, 0.45459959023132324, 0.6495229078621958, 0.6464889489308795,
                0.03675852788725732,
            ]
        ),
        (
            GradientBoostedTrees.Settings(trees: 30, learningRate: 0.2, maxDepth: 4, minSamplesLeaf: 5),
            [
                0.009841642890267318, 0.0012181462984446427, 0.9791846906925668, 0.004231235400787587,
                0.006448887241482526, 0.0029499696211693883, 0.011012750682019415, 0.9263890258088958,
                0.9481859362455838, 0.09978778601578368, 0.11293097105062298, 0.009614440856854499,
                0.010682496191403795, 0.07367802987478314, 0.954509316609814, 0.009841642890267318,
                0.01571506541480081, 0.9589499344255183, 0.0013914673114652954, 0.006967082441030892,
                0.9211378635594317, 0.07011278826924908, 0.01690051316227187, 0.9309130666883195,
                0.007853406291005985, 0.010391812411709759, 0.015373206644427234, 0.11116540370098581,
                0.003930574636999427, 0.014157398141307653, 0.943498296554721, 0.8893968838259043,
                0.012997001725111795, 0.9734798131987462, 0.8799837061836621, 0.001549798085145265,
                0.020014934808894207, 0.006448887241482526, 0.8158264298117271, 0.1522034924934264,
                0.9822070746975168, 0.9518016157345421, 0.10574283911944013, 0.9463184072233203,
                0.10025624723557032, 0.9876355233419555, 0.0614218226493489, 0.04605361172693626,
                0.0890729558534617, 0.055594797464162696, 0.8712423214590514, 0.9157655868786327,
                0.023188416384661906, 0.010497194179064754, 0.8577806344839869, 0.9601691418089797,
                0.9761074491613752, 0.9526293740293204, 0.13415225195779604, 0.03716223672894945,
                0.9763699408090515, 0.8801017028185815, 0.01690051316227187, 0.01949958127937076,
                0.49232033980785994, 0.8799837061836621, 0.24228301592486903, 0.0019046140663938292,
            ]
        ),
    ]

    /// Probabilities on the 60 fitting rows and the 8 others equal scikit-learn's within 1e-9.
    @Test(arguments: 0..<3) func probabilitiesMatchScikitLearn(_ which: Int) throws {
        let (settings, expected) = Self.references[which]
        let model = try GradientBoostedTrees.fit(features: rows, outcomes: outcomes, settings: settings)
        let got = (rows + queries).map { model.probability($0) }
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(abs(g - e) <= 1e-9, "row \(i): \(g) against scikit-learn's \(e)")
        }
    }

    /// One stage of depth 1 by hand: F₀ = log(2/2) = 0, p = ½ everywhere, residuals ∓½. The best stump splits
    /// x ≤ 2.5 (both negatives left), and each leaf's Newton step is Σr / Σp(1 − p) = (∓1) / (½) = ∓2, so with
    /// shrinkage 0.5 the log-odds are ∓1.
    @Test func oneStumpByHand() throws {
        let model = try GradientBoostedTrees.fit(
            features: [[1], [2], [3], [4]], outcomes: [false, false, true, true],
            settings: .init(trees: 1, learningRate: 0.5, maxDepth: 1, minSamplesLeaf: 1))
        #expect(model.initialLogOdds == 0)
        #expect(abs(model.logOdds([2.5][...]) + 1) < 1e-15)
        #expect(abs(model.logOdds([2.6][...]) - 1) < 1e-15)
        #expect(model.leafCount == 2)
    }

    /// The same rows in the same order give the same model; a fit is a pure function of its input.
    @Test func fitIsDeterministic() throws {
        let settings = Self.references[0].0
        let a = try GradientBoostedTrees.fit(features: rows, outcomes: outcomes, settings: settings)
        let b = try GradientBoostedTrees.fit(features: rows, outcomes: outcomes, settings: settings)
        #expect((rows + queries).allSatisfy { a.logOdds($0[...]) == b.logOdds($0[...]) })
    }

    @Test func badInputIsRejected() {
        let settings = GradientBoostedTrees.Settings(trees: 2, learningRate: 0.1, maxDepth: 2, minSamplesLeaf: 1)
        #expect(throws: GSLError.self) {
            try GradientBoostedTrees.fit(features: [[1], [2]], outcomes: [true, true], settings: settings)
        }
        #expect(throws: GSLError.self) {
            try GradientBoostedTrees.fit(features: [[1], [.nan]], outcomes: [true, false], settings: settings)
        }
        #expect(throws: GSLError.self) {
            try GradientBoostedTrees.fit(features: [[1], [2, 3]], outcomes: [true, false], settings: settings)
        }
        #expect(throws: GSLError.self) {
            try GradientBoostedTrees.fit(features: [[1]], outcomes: [true, false], settings: settings)
        }
        #expect(throws: GSLError.self) {
            var bad = settings
            bad.learningRate = 0
            return try GradientBoostedTrees.fit(features: [[1], [2]], outcomes: [true, false], settings: bad)
        }
    }
}
