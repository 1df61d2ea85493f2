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
/// This is exactly the algorithm of scikit-learn's `GradientBoostingClassifier(loss="log_loss",
/// criterion="friedman_mse", subsample=1.0, max_features=None)`, and the tests hold it to that: trees grow depth
/// first to `maxDepth`, a node is split only if it has at least 2 and at least 2 × `minSamplesLeaf` rows and its
/// residuals are not all equal, and the split maximises (n_R S_L − n_L S_R)² / (n_L n_R) over thresholds half-way
/// between consecutive distinct values of a feature that leave `minSamplesLeaf` rows on each side. Where two
/// splits are exactly as good, the first feature (and the lower threshold) wins; scikit-learn visits features in
/// a random order there, the only point where the two can differ. There is no randomness here: the same rows
/// give the same model.
///
/// - Complexity: every feature is sorted once; each level of each tree then costs O(n·k) for n rows and k
///   features (the rows of a node stay sorted by every feature, partitioned stably at each split).
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
/// `order[f]` lists the rows sorted by feature f (ties by row). A node owns the same range of positions in every
/// feature's list, sorted by that feature within the range; a split partitions each range stably into the rows
/// going left, then those going right, so the children own consecutive ranges and stay sorted.
private struct TreeBuilder {
    let x: [Double]
    let rows: Int
    let features: Int
    let settings: GradientBoostedTrees.Settings
    /// The sorted lists of the whole data, copied into `order` for each tree.
    let sorted: [Int32]
    var order: [Int32]
    var scratch: [Int32]
    var goesLeft: [Bool]

    init(x: [Double], rows: Int, features: Int, settings: GradientBoostedTrees.Settings) {
        self.x = x
        self.rows = rows
        self.features = features
        self.settings = settings
        var sorted = [Int32](repeating: 0, count: rows * features)
        for f in 0..<features {
            let byValue = (0..<rows).sorted { a, b in
                let (va, vb) = (x[a * features + f], x[b * features + f])
                return va != vb ? va < vb : a < b
            }
            for (p, i) in byValue.enumerated() { sorted[f * rows + p] = Int32(i) }
        }
        self.sorted = sorted
        order = sorted
        scratch = [Int32](repeating: 0, count: rows)
        goesLeft = [Bool](repeating: false, count: rows)
    }

    /// A split found for a node.
    struct Split {
        var feature: Int
        /// Rows `start ..< start + leftCount` of the node's range go left.
        var leftCount: Int
        var threshold: Double
        var proxy: Double
    }

    /// Grows a tree on the residuals and returns it with the index of the leaf each row ends in.
    mutating func grow(residual: [Double], hessian: [Double]) -> (
        [GradientBoostedTrees.Node], leafOfRow: [Int]
    ) {
        order = sorted
        var nodes: [GradientBoostedTrees.Node] = []
        var leafOfRow = [Int](repeating: 0, count: rows)
        // Depth first, left child first: a stack of (node index, start, end, depth).
        nodes.append(.init(feature: -1, left: -1, right: -1, threshold: 0, value: 0))
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = [(0, 0, rows, 0)]
        while let (node, start, end, depth) = stack.popLast() {
            let split =
                canSplit(start: start, end: end, depth: depth, residual: residual)
                ? bestSplit(start: start, end: end, residual: residual) : nil
            guard let split else {
                nodes[node].value = newtonStep(start: start, end: end, residual: residual, hessian: hessian)
                for p in start..<end { leafOfRow[Int(order[p])] = node }
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
            let r = residual[Int(order[p])]
            sum += r
            squares += r * r
        }
        let mean = sum / Double(n)
        return squares / Double(n) - mean * mean > Double.ulpOfOne
    }

    /// The best split of a node's rows over all features, or nil when no feature varies enough to leave
    /// `minSamplesLeaf` rows on both sides.
    func bestSplit(start: Int, end: Int, residual: [Double]) -> Split? {
        let n = end - start
        let minLeaf = settings.minSamplesLeaf
        var total = 0.0
        for p in start..<end { total += residual[Int(order[p])] }
        var best: Split?
        for f in 0..<features {
            let list = f * rows
            var left = 0.0
            for p in start..<(end - 1) {
                let i = Int(order[list + p])
                left += residual[i]
                let nLeft = p + 1 - start
                guard nLeft >= minLeaf else { continue }
                if n - nLeft < minLeaf { break }
                let value = x[i * features + f]
                let next = x[Int(order[list + p + 1]) * features + f]
                guard next > value else { continue }
                let (nl, nr) = (Double(nLeft), Double(n - nLeft))
                let difference = nr * left - nl * (total - left)
                let proxy = difference * difference / (nl * nr)
                if best == nil || proxy > best!.proxy {
                    var threshold = value / 2 + next / 2
                    if threshold == next || !threshold.isFinite { threshold = value }
                    best = Split(feature: f, leftCount: nLeft, threshold: threshold, proxy: proxy)
                }
            }
        }
        return best
    }

    /// Partitions the node's range of every feature's list: rows going left first, both parts in their order.
    mutating func partition(start: Int, end: Int, by split: Split) {
        let chosen = split.feature * rows
        for p in start..<end { goesLeft[Int(order[chosen + p])] = p < start + split.leftCount }
        for f in 0..<features where f != split.feature {
            let list = f * rows
            var l = start
            var r = 0
            for p in start..<end {
                let i = order[list + p]
                if goesLeft[Int(i)] {
                    order[list + l] = i
                    l += 1
                } else {
                    scratch[r] = i
                    r += 1
                }
            }
            for q in 0..<r { order[list + l + q] = scratch[q] }
        }
    }

    /// Σ r / Σ p(1 − p) over the leaf's rows, as means so the cut-off at 1e-150 is scikit-learn's.
    func newtonStep(start: Int, end: Int, residual: [Double], hessian: [Double]) -> Double {
        var numerator = 0.0
        var denominator = 0.0
        for p in start..<end {
            let i = Int(order[p])
            numerator += residual[i]
            denominator += hessian[i]
        }
        let n = Double(end - start)
        let (meanNumerator, meanDenominator) = (numerator / n, denominator / n)
        return abs(meanDenominator) < 1e-150 ? 0 : meanNumerator / meanDenominator
    }
}
