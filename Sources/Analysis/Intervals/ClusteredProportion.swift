import Stats

/// Sums over clusters (users) behind ratio estimates p̂ = Σᵤ yᵤ / Σᵤ nᵤ, split into strata: per cluster
/// `u` and stratum `s`, yᵤₛ successes out of nᵤₛ trials (e.g. a user's weeks in one segment that ended in
/// another, out of the user's weeks in the segment, in one half of a run and one band of tenure).
///
/// Every field is a plain sum over clusters, so the moments of disjoint sets of clusters add up to the
/// moments of all of them: shards merge exactly. From them come the linearisation (sandwich) variance of
/// the ratio and of any linear combination of ratios over groups of strata, which respects that a user's
/// trials are not independent of each other.
public struct ClusteredRatioMoments: Codable, Sendable, Equatable {
    public let strata: Int
    /// Clusters with at least one trial (G).
    public private(set) var clusters: Int
    /// Σᵤ yᵤₛ and Σᵤ nᵤₛ, per stratum.
    public private(set) var successes: [Int]
    public private(set) var trials: [Int]
    /// `[s * strata + t]`: Σᵤ yᵤₛ yᵤₜ, Σᵤ yᵤₛ nᵤₜ and Σᵤ nᵤₛ nᵤₜ.
    public private(set) var successProducts: [Int]
    public private(set) var mixedProducts: [Int]
    public private(set) var trialProducts: [Int]

    public init(strata: Int = 1) {
        precondition(strata >= 1)
        self.strata = strata
        clusters = 0
        successes = Array(repeating: 0, count: strata)
        trials = successes
        successProducts = Array(repeating: 0, count: strata * strata)
        mixedProducts = successProducts
        trialProducts = successProducts
    }

    init(
        strata: Int, clusters: Int, successes: [Int], trials: [Int], successProducts: [Int], mixedProducts: [Int],
        trialProducts: [Int]
    ) {
        self.strata = strata
        self.clusters = clusters
        self.successes = successes
        self.trials = trials
        self.successProducts = successProducts
        self.mixedProducts = mixedProducts
        self.trialProducts = trialProducts
    }

    /// Adds one cluster: its successes and trials in each stratum (`trials[s] >= successes[s] >= 0`).
    public mutating func addCluster(successes y: [Int], trials n: [Int]) {
        precondition(y.count == strata && n.count == strata)
        guard n.contains(where: { $0 > 0 }) else { return }
        clusters += 1
        for s in 0..<strata where n[s] > 0 {
            successes[s] += y[s]
            trials[s] += n[s]
            for t in 0..<strata where n[t] > 0 {
                successProducts[s * strata + t] += y[s] * y[t]
                mixedProducts[s * strata + t] += y[s] * n[t]
                trialProducts[s * strata + t] += n[s] * n[t]
            }
        }
    }

    /// Adds one cluster of a single stratum.
    public mutating func addCluster(successes y: Int, trials n: Int) {
        precondition(strata == 1)
        guard n > 0 else { return }
        clusters += 1
        successes[0] += y
        trials[0] += n
        successProducts[0] += y * y
        mixedProducts[0] += y * n
        trialProducts[0] += n * n
    }

    /// Adds the moments of other clusters over the same strata.
    public mutating func add(_ other: ClusteredRatioMoments) {
        precondition(strata == other.strata)
        clusters += other.clusters
        for s in 0..<strata {
            successes[s] += other.successes[s]
            trials[s] += other.trials[s]
        }
        for i in successProducts.indices {
            successProducts[i] += other.successProducts[i]
            mixedProducts[i] += other.mixedProducts[i]
            trialProducts[i] += other.trialProducts[i]
        }
    }

    /// The moments with all strata pooled into one.
    public var pooled: ClusteredRatioMoments {
        var one = ClusteredRatioMoments(strata: 1)
        one.clusters = clusters
        one.successes = [successes.reduce(0, +)]
        one.trials = [trials.reduce(0, +)]
        one.successProducts = [successProducts.reduce(0, +)]
        one.mixedProducts = [mixedProducts.reduce(0, +)]
        one.trialProducts = [trialProducts.reduce(0, +)]
        return one
    }

    /// One ratio of a linear combination: the strata pooled into it and its coefficient.
    public struct Term: Sendable {
        public let strata: [Int]
        public let coefficient: Double

        public init(strata: [Int], coefficient: Double) {
            self.strata = strata
            self.coefficient = coefficient
        }
    }

    /// The combination Σₐ cₐ p̂ₐ of ratios p̂ₐ = Σ_{s∈A} Y_s / Σ_{s∈A} N_s over disjoint groups of strata, and
    /// its cluster-robust variance
    ///
    ///     G/(G − 1) · Σᵤ φᵤ²,   φᵤ = Σₐ cₐ (yᵤₐ − p̂ₐ nᵤₐ) / Nₐ,
    ///
    /// the first-order (linearisation) variance of a ratio estimator with the CR1 small-sample factor:
    /// what a least-squares fit of each trial's 0/1 outcome on one indicator per group gives with
    /// standard errors clustered by user. The weights cₐ are taken as fixed. `nil` when a group has no
    /// trials or there are fewer than two clusters.
    public func combination(_ terms: [Term]) -> (estimate: Double, variance: Double)? {
        guard clusters >= 2 else { return nil }
        // φᵤ = Σₛ aₛ yᵤₛ − Σₛ bₛ nᵤₛ, with aₛ = cₐ / Nₐ and bₛ = cₐ p̂ₐ / Nₐ for s in group A.
        var a = [Double](repeating: 0, count: strata)
        var b = a
        var estimate = 0.0
        for term in terms {
            let y = term.strata.reduce(0) { $0 + successes[$1] }
            let n = term.strata.reduce(0) { $0 + trials[$1] }
            guard n > 0 else { return nil }
            let p = Double(y) / Double(n)
            estimate += term.coefficient * p
            for s in term.strata {
                a[s] += term.coefficient / Double(n)
                b[s] += term.coefficient * p / Double(n)
            }
        }
        var sum = 0.0
        var scale = 0.0
        for s in 0..<strata {
            for t in 0..<strata {
                let st = s * strata + t
                let terms = [
                    a[s] * a[t] * Double(successProducts[st]), -2 * a[s] * b[t] * Double(mixedProducts[st]),
                    b[s] * b[t] * Double(trialProducts[st]),
                ]
                for x in terms {
                    sum += x
                    scale += abs(x)
                }
            }
        }
        let g = Double(clusters)
        // When every φᵤ is 0 the terms cancel exactly in exact arithmetic; in floating point a residue of
        // the order of rounding is left, which is no variance at all.
        if sum <= 1e-12 * scale { sum = 0 }
        return (estimate, sum * g / (g - 1))
    }

    /// The pooled ratio Σ Y / Σ N with its cluster-robust variance (see ``combination(_:)``).
    public var ratio: (estimate: Double, variance: Double)? {
        combination([Term(strata: Array(0..<strata), coefficient: 1)])
    }
}

extension ProportionInterval {
    /// An interval for a proportion estimated from clustered trials (a user's repeated weeks): the Wilson
    /// interval at the effective sample size n / deff, where the design effect deff is the cluster-robust
    /// variance of the ratio (``ClusteredRatioMoments/ratio``) over the binomial variance p̂(1 − p̂)/n.
    ///
    /// The design effect is not allowed below 1, as Korn and Graubard (1998) cap the effective sample size at
    /// the actual one: with few clusters the robust variance is noisy, and independent trials are the most a
    /// sample can be worth. At p̂ = 0 or 1 the design effect is undefined and taken as 1.
    ///
    /// - Returns: the interval and the design effect used; `nil` when there are no trials or the
    ///   confidence is outside (0, 1).
    public static func clustered(_ m: ClusteredRatioMoments, confidence: Double) -> (
        interval: ClosedRange<Double>, designEffect: Double
    )? {
        let y = m.successes.reduce(0, +)
        let n = m.trials.reduce(0, +)
        guard n > 0, confidence > 0, confidence < 1 else { return nil }
        let p = Double(y) / Double(n)
        var deff = 1.0
        if y > 0, y < n {
            // One cluster: nothing to say about the spread between users, so the most cautious reading is
            // that all its trials are one.
            if let robust = m.pooled.ratio {
                deff = max(1, robust.variance / (p * (1 - p) / Double(n)))
            } else {
                deff = Double(n)
            }
        }
        guard let interval = wilson(proportion: p, effectiveTrials: Double(n) / deff, confidence: confidence)
        else { return nil }
        return (interval, deff)
    }

    /// The Wilson score interval for a proportion p̂ at a real-valued sample size (an effective one).
    static func wilson(proportion p: Double, effectiveTrials n: Double, confidence: Double) -> ClosedRange<Double>? {
        guard n > 0, p >= 0, p <= 1, let z = try? Normal(mean: 0, sd: 1).quantile(1 - (1 - confidence) / 2)
        else { return nil }
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        let lower = p == 0 ? 0 : max(0, centre - halfWidth)
        let upper = p == 1 ? 1 : min(1, centre + halfWidth)
        return lower...upper
    }
}
