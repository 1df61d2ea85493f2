#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Gradient-boosted regression trees for a binary outcome under log loss (Friedman 2001, "Greedy function
/// approximation: a gradient boosting machine", Annals of Statistics 29(5), 1189–1232, algorithm "L_K TreeBoost"
/// for two classes).
///
/// The model is F(x) = F₀ + ν Σₘ fₘ(x) with P(y = true | x) = 1 / (1 + e^−F(x)). F₀ is the log-odds of the
/// share of positives. Each stage fits a regression tree to the negative gradient r = y − p by least squares,
/// choosing splits by Friedman's improvement criterion, and then sets every leaf to one Newton step on the log
/// loss, Σ r / Σ p(1 − p) over the leaf (0 when that sum of Hessians is below 1e-150).
///
/// When no feature takes more than 255 distinct values on the fitting rows, this is exactly the algorithm of
/// scikit-learn's `GradientBoostingClassifier(loss="log_loss", criterion="friedman_mse", subsample=1.0,
/// max_features=None)`, and the tests hold it to that: trees grow depth first to `maxDepth`, a node is split only
/// if it has at least 2 and at least 2 × `minSamplesLeaf` rows and its residuals are not all equal, and the split
/// maximises (n_R S_L − n_L S_R)² / (n_L n_R) over thresholds half-way between consecutive distinct values of a
/// feature in the node that leave `minSamplesLeaf` rows on each side. Where two splits are exactly as good, the
/// first feature (and the lower threshold) wins; scikit-learn visits features in a random order there, the only
/// point where the two can differ. A feature with more distinct values is first cut into 255 bins at its
/// quantiles, as LightGBM and scikit-learn's `HistGradientBoostingClassifier` do, and splits fall between bins
/// (see `FeatureBins`). There is no randomness here: the same rows give the same model.
///
/// - Complexity: binning sorts every feature once; each level of each tree then costs O(n·k) for n rows and
///   k features, reading one byte per row and feature.
public struct GradientBoostedTrees: Sendable {
    /// How the ensemble is grown.
    public struct Settings: Sendable, Equatable, Codable {
        /// Boosting stages (trees).
        public var trees: Int
        /// Shrinkage ν applied to every tree's leaves.
        public var learningRate: Double
        /// Depth of each tree (1 is a stump).
        public var maxDepth: Int
        /// Fewest rows a leaf may hold.
        public var minSamplesLeaf: Int

        public init(trees: Int, learningRate: Double, maxDepth: Int, minSamplesLeaf: Int) {
            self.trees = trees
            self.learningRate = learningRate
            self.maxDepth = maxDepth
            self.minSamplesLeaf = minSamplesLeaf
        }
    }

    /// One node of a tree: a split (`feature ≥ 0`) sends rows with `x[feature] <= threshold` to `left`, others to
    /// `right`; a leaf (`feature == -1`) holds `value`.
    struct Node: Sendable {
        var feature: Int32
        var left: Int32
        var right: Int32
        var threshold: Double
        var value: Double
    }

    public let settings: Settings
    /// Number of features a row must have.
    public let featureCount: Int
    /// F₀, the log-odds of the share of positives in the fitting rows.
    public let initialLogOdds: Double
    /// The nodes of every tree, tree after tree; `roots[m]` is where tree m starts.
    let nodes: [Node]
    let roots: [Int]

    /// Fits the ensemble.
    ///
    /// - Parameters:
    ///   - x: One row of finite features per observation, all rows the same length.
    ///   - y: One outcome per row; both values must occur.
    ///   - settings: Stages, shrinkage, depth and leaf size, all positive (shrinkage finite).
    /// - Throws: ``GSLError`` with `GSL_EDOM` for empty, ragged, non-finite or one-class input and for bad settings,
    ///   `GSL_EBADLEN` when the numbers of rows and outcomes differ.
    public static func fit(features x: [[Double]], outcomes y: [Bool], settings: Settings) throws
        -> GradientBoostedTrees
    {
        let function = "GradientBoostedTrees.fit"
        guard x.count == y.count else {
            throw GSLError(
                code: Matrix.badLength, reason: "\(x.count) rows of features but \(y.count) outcomes",
                function: function)
        }
        guard let k = x.first?.count, k > 0 else {
            throw GSL.domainError(function, "needs at least one row with at least one feature")
        }
        guard settings.trees >= 1, settings.maxDepth >= 1, settings.minSamplesLeaf >= 1,
            settings.learningRate.isFinite, settings.learningRate > 0
        else {
            throw GSL.domainError(
                function,
                "trees, maxDepth and minSamplesLeaf must be at least 1 and learningRate positive and finite "
                    + "(got \(settings))")
        }
        var flat: [Double] = []
        flat.reserveCapacity(x.count * k)
        for (i, row) in x.enumerated() {
            guard row.count == k else {
                throw GSL.domainError(function, "row \(i) has \(row.count) features, row 0 has \(k)")
            }
            if let j = row.firstIndex(where: { !$0.isFinite }) {
                throw GSL.domainError(function, "feature \(j) of row \(i) is not finite (\(row[j]))")
            }
            flat += row
        }
        let positives = y.count { $0 }
        guard positives > 0, positives < y.count else {
            throw GSL.domainError(function, "both outcomes must occur (\(positives) of \(y.count) are true)")
        }
        var builder = TreeBuilder(x: flat, rows: y.count, features: k, settings: settings)
        let prior = Double(positives) / Double(y.count)
        let initial = log(prior / (1 - prior))
        let outcomes = y.map { $0 ? 1.0 : 0.0 }
        var raw = [Double](repeating: initial, count: y.count)
        var nodes: [Node] = []
        var roots: [Int] = []
        for _ in 0..<settings.trees {
            let p = raw.map(logistic)
            let residual = (0..<y.count).map { outcomes[$0] - p[$0] }
            let hessian = p.map { $0 * (1 - $0) }
            let (tree, leafOfRow) = builder.grow(residual: residual, hessian: hessian)
            roots.append(nodes.count)
            let offset = Int32(nodes.count)
            nodes += tree.map { node in
                var node = node
                if node.feature >= 0 {
                    node.left += offset
                    node.right += offset
                }
                return node
            }
            for i in 0..<y.count { raw[i] += settings.learningRate * tree[leafOfRow[i]].value }
        }
        return GradientBoostedTrees(
            settings: settings, featureCount: k, initialLogOdds: initial, nodes: nodes, roots: roots)
    }

    /// F(x), the log-odds of a positive for one row of ``featureCount`` features.
    public func logOdds(_ row: ArraySlice<Double>) -> Double {
        precondition(row.count == featureCount, "one value per feature")
        let base = row.startIndex
        var f = initialLogOdds
        for root in roots {
            var n = root
            while nodes[n].feature >= 0 {
                let node = nodes[n]
                n = Int(row[base + Int(node.feature)] <= node.threshold ? node.left : node.right)
            }
            f += settings.learningRate * nodes[n].value
        }
        return f
    }

    /// P(y = true | x) for one row of ``featureCount`` features.
    public func probability(_ row: ArraySlice<Double>) -> Double { Self.logistic(logOdds(row)) }

    public func probability(_ row: [Double]) -> Double { probability(row[...]) }

    /// Leaves over all trees (a size for reports).
    public var leafCount: Int { nodes.count { $0.feature < 0 } }

    static func logistic(_ f: Double) -> Double { 1 / (1 + exp(-f)) }
}

/// Grows one tree at a time on fixed rows, reusing its buffers.
///
/// Each feature is binned once: with at most ``FeatureBins/maxBins`` distinct values, one bin per value (so every
/// split the exact algorithm could choose is still available, at the same threshold); with more, bins between
/// quantiles of the column. A node's rows sit in one range of `rows`; its split is found from per-bin counts and
/// residual sums (a histogram of each feature over the node's rows), and a split partitions the range stably
/// into the rows going left, then those going right. This is the histogram method of LightGBM (Ke et al. 2017,
/// "LightGBM: a highly efficient gradient boosting decision tree", NeurIPS) and of scikit-learn's
/// `HistGradientBoostingClassifier`, here with Friedman's criterion and Newton leaves as above.
private struct TreeBuilder {
    let rowCount: Int
    let features: Int
    let settings: GradientBoostedTrees.Settings
    let bins: [FeatureBins]
    /// The bin of every row's every feature, row after row.
    let codes: [UInt8]
    /// Row numbers; a node owns a range.
    var rows: [Int32]
    var scratch: [Int32]
    /// Per feature and bin (index `f · maxBins + b`): rows and the sum of their residuals, for one node.
    var counts: [Int32]
    var sums: [Double]

    init(x: [Double], rows: Int, features: Int, settings: GradientBoostedTrees.Settings) {
        self.rowCount = rows
        self.features = features
        self.settings = settings
        var bins: [FeatureBins] = []
        var codes = [UInt8](repeating: 0, count: rows * features)
        for f in 0..<features {
            let column = (0..<rows).map { x[$0 * features + f] }
            let binning = FeatureBins(column)
            for i in 0..<rows { codes[i * features + f] = binning.bin(of: column[i]) }
            bins.append(binning)
        }
        self.bins = bins
        self.codes = codes
        self.rows = (0..<rows).map(Int32.init)
        scratch = [Int32](repeating: 0, count: rows)
        counts = [Int32](repeating: 0, count: features * FeatureBins.maxBins)
        sums = [Double](repeating: 0, count: features * FeatureBins.maxBins)
    }

    /// A split found for a node.
    struct Split {
        var feature: Int
        /// Rows in bins up to this one go left.
        var lastLeftBin: Int
        var leftCount: Int
        var threshold: Double
        var proxy: Double
    }

    /// Grows a tree on the residuals and returns it with the index of the leaf each row ends in.
    mutating func grow(residual: [Double], hessian: [Double]) -> (
        [GradientBoostedTrees.Node], leafOfRow: [Int]
    ) {
        for i in 0..<rowCount { rows[i] = Int32(i) }
        var nodes: [GradientBoostedTrees.Node] = []
        var leafOfRow = [Int](repeating: 0, count: rowCount)
        // Depth first, left child first: a stack of (node index, start, end, depth).
        nodes.append(.init(feature: -1, left: -1, right: -1, threshold: 0, value: 0))
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = [(0, 0, rowCount, 0)]
        while let (node, start, end, depth) = stack.popLast() {
            let split =
                canSplit(start: start, end: end, depth: depth, residual: residual)
                ? bestSplit(start: start, end: end, residual: residual) : nil
            guard let split else {
                nodes[node].value = newtonStep(start: start, end: end, residual: residual, hessian: hessian)
                for p in start..<end { leafOfRow[Int(rows[p])] = node }
                continue
            }
            partition(start: start, end: end, by: split)
            let left = nodes.count
            nodes.append(.init(feature: -1, left: -1, right: -1, threshold: 0, value: 0))
            nodes.append(.init(feature: -1, left: -1, right: -1, threshold: 0, value: 0))
            nodes[node] = .init(
                feature: Int32(split.feature), left: Int32(left), right: Int32(left + 1), threshold: split.threshold,
                value: 0)
            let middle = start + split.leftCount
            stack.append((left + 1, middle, end, depth + 1))
            stack.append((left, start, middle, depth + 1))
        }
        return (nodes, leafOfRow)
    }

    /// Whether a node may be split: depth left, enough rows, and residuals that are not all equal (their
    /// variance above the double's epsilon).
    func canSplit(start: Int, end: Int, depth: Int, residual: [Double]) -> Bool {
        let n = end - start
        guard depth < settings.maxDepth, n >= 2, n >= 2 * settings.minSamplesLeaf else { return false }
        var sum = 0.0
        var squares = 0.0
        for p in start..<end {
            let r = residual[Int(rows[p])]
            sum += r
            squares += r * r
        }
        let mean = sum / Double(n)
        return squares / Double(n) - mean * mean > Double.ulpOfOne
    }

    /// The best split of a node's rows over all features, or nil when no feature varies enough to leave
    /// `minSamplesLeaf` rows on both sides. A candidate lies between two bins holding rows of the node, at the
    /// midpoint between the largest value of the lower bin and the smallest of the upper.
    mutating func bestSplit(start: Int, end: Int, residual: [Double]) -> Split? {
        let n = end - start
        let minLeaf = settings.minSamplesLeaf
        let stride = FeatureBins.maxBins
        let k = features
        counts.withUnsafeMutableBufferPointer { counts in
            sums.withUnsafeMutableBufferPointer { sums in
                for f in 0..<k {
                    let used = bins[f].count
                    for b in 0..<used {
                        counts[f * stride + b] = 0
                        sums[f * stride + b] = 0
                    }
                }
                codes.withUnsafeBufferPointer { codes in
                    rows.withUnsafeBufferPointer { rows in
                        residual.withUnsafeBufferPointer { residual in
                            for p in start..<end {
                                let i = Int(rows[p])
                                let r = residual[i]
                                let base = i * k
                                for f in 0..<k {
                                    let cell = f * stride + Int(codes[base + f])
                                    counts[cell] += 1
                                    sums[cell] += r
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = 0.0
        for p in start..<end { total += residual[Int(rows[p])] }
        var best: Split?
        for f in 0..<k {
            let binning = bins[f]
            var left = 0.0
            var nLeft = 0
            var lower = -1
            for b in 0..<binning.count {
                let count = Int(counts[f * stride + b])
                guard count > 0 else { continue }
                if lower >= 0, nLeft >= minLeaf {
                    if n - nLeft < minLeaf { break }
                    let (nl, nr) = (Double(nLeft), Double(n - nLeft))
                    let difference = nr * left - nl * (total - left)
                    let proxy = difference * difference / (nl * nr)
                    if best == nil || proxy > best!.proxy {
                        let (value, next) = (binning.largest[lower], binning.smallest[b])
                        var threshold = value / 2 + next / 2
                        if threshold == next || !threshold.isFinite { threshold = value }
                        best = Split(
                            feature: f, lastLeftBin: lower, leftCount: nLeft, threshold: threshold, proxy: proxy)
                    }
                }
                left += sums[f * stride + b]
                nLeft += count
                lower = b
            }
        }
        return best
    }

    /// Partitions the node's range: rows going left first, both parts in their order.
    mutating func partition(start: Int, end: Int, by split: Split) {
        let f = split.feature
        let last = UInt8(split.lastLeftBin)
        var l = start
        var r = 0
        for p in start..<end {
            let i = rows[p]
            if codes[Int(i) * features + f] <= last {
                rows[l] = i
                l += 1
            } else {
                scratch[r] = i
                r += 1
            }
        }
        for q in 0..<r { rows[l + q] = scratch[q] }
    }

    /// Σ r / Σ p(1 − p) over the leaf's rows, as means so the cut-off at 1e-150 is scikit-learn's.
    func newtonStep(start: Int, end: Int, residual: [Double], hessian: [Double]) -> Double {
        var numerator = 0.0
        var denominator = 0.0
        for p in start..<end {
            let i = Int(rows[p])
            numerator += residual[i]
            denominator += hessian[i]
        }
        let n = Double(end - start)
        let (meanNumerator, meanDenominator) = (numerator / n, denominator / n)
        return abs(meanDenominator) < 1e-150 ? 0 : meanNumerator / meanDenominator
    }
}

/// The bins of one feature column: ascending upper bounds, a value going to the first bin whose bound is not
/// below it, and each bin's smallest and largest value in the column.
///
/// With at most ``maxBins`` distinct values each gets its own bin. With more, the bounds are the column's
/// quantiles at k / ``maxBins`` (k = 1 … 254) by the averaged inverted distribution function, without repeats,
/// and the column's largest value — scikit-learn's bins for `HistGradientBoostingClassifier(max_bins=255)`
/// (`_find_binning_thresholds`, which calls `np.percentile(..., method="averaged_inverted_cdf")`; it adds a bin for
/// missing values, which a feature here cannot have).
struct FeatureBins: Sendable {
    static let maxBins = 255
    let bounds: [Double]
    let smallest: [Double]
    let largest: [Double]
    var count: Int { smallest.count }

    init(_ column: [Double]) {
        let sorted = column.sorted()
        var distinct: [Double] = []
        for v in sorted where distinct.last != v { distinct.append(v) }
        if distinct.count <= Self.maxBins {
            bounds = distinct
        } else {
            let n = sorted.count
            var bounds: [Double] = []
            for k in 1..<Self.maxBins {
                // The averaged inverted CDF at q = k / maxBins: the smallest value whose share of the column
                // reaches q, or the mean of it and the next where the share is exactly q.
                let (whole, part) = (k * n).quotientAndRemainder(dividingBy: Self.maxBins)
                let bound: Double
                if part == 0 {
                    let (a, b) = (sorted[whole - 1], sorted[whole])
                    bound = b - (b - a) / 2
                } else {
                    bound = sorted[whole]
                }
                if bounds.last != bound { bounds.append(bound) }
            }
            if bounds.last != sorted[n - 1] { bounds.append(sorted[n - 1]) }
            self.bounds = bounds
        }
        var smallest = [Double](repeating: .infinity, count: bounds.count)
        var largest = [Double](repeating: -.infinity, count: bounds.count)
        var b = 0
        for v in sorted {
            while v > bounds[b] { b += 1 }
            smallest[b] = Swift.min(smallest[b], v)
            largest[b] = Swift.max(largest[b], v)
        }
        self.smallest = smallest
        self.largest = largest
    }

    /// The bin of a value of the column.
    func bin(of value: Double) -> UInt8 {
        var low = 0
        var high = bounds.count - 1
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        return UInt8(low)
    }
}
