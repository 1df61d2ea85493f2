import Stats

/// Who responds: one metric's lift within each group of one dimension (the segment a user was in on their
/// index day, their persona, their plan), with the true effect beside it.
///
/// Looking at many groups finds a "significant" one by chance, so the intervals hold simultaneously: each
/// is at level 1 − α/m for the m groups with a lift (Bonferroni), and the p-values are Holm-adjusted over
/// the same m. Groups with fewer than ``minimumUsers`` users in either arm are listed without a lift.
public struct SubgroupLifts: Codable, Sendable, Equatable {
    public let dimension: String
    public let metric: String
    /// The level of each group's interval, 1 − 0.05/m.
    public let confidence: Double
    public let groups: [Group]

    public struct Group: Codable, Sendable, Equatable {
        public let group: String
        public let treatmentUsers: Int
        public let controlUsers: Int
        public let treatmentMean: Double?
        public let controlMean: Double?
        /// Treatment minus control with its simultaneous interval: Wald for proportions, Welch for means.
        public let absoluteLift: Double?
        public let lower: Double?
        public let upper: Double?
        public let pValue: Double?
        public let pValueHolm: Double?
        /// Mean over the group's treatment users of treated minus counterfactual outcome, and the normal
        /// interval of that mean at the same simultaneous level (it varies from user to user).
        public let trueEffect: Double?
        public let trueEffectLower: Double?
        public let trueEffectUpper: Double?
        /// Whether the lift's interval holds the group's true effect.
        public let trueEffectCovered: Bool?
    }

    /// Both arms need this many users in a group for its lift.
    public static let minimumUsers = 30

    /// One user's outcome in the comparison: their group, whether in the treatment arm, the outcome, and
    /// for a treatment user the difference from their counterfactual outcome.
    public struct Observation: Sendable {
        public var group: Int
        public var treated: Bool
        public var value: Double
        public var trueDifference: Double

        public init(group: Int, treated: Bool, value: Double, trueDifference: Double = 0) {
            self.group = group
            self.treated = treated
            self.value = value
            self.trueDifference = trueDifference
        }
    }

    /// - Parameters:
    ///   - names: the dimension's groups; every observation's `group` indexes it.
    ///   - isProportion: outcomes are 0 or 1.
    ///   - alpha: the family's error rate.
    public init(
        dimension: String, metric: String, names: [String], isProportion: Bool, observations: [Observation],
        alpha: Double = 0.05
    ) throws {
        var treatment = [[Double]](repeating: [], count: names.count)
        var control = treatment
        var truth = treatment
        for o in observations {
            precondition(names.indices.contains(o.group), "group \(o.group) has no name")
            if o.treated {
                treatment[o.group].append(o.value)
                truth[o.group].append(o.trueDifference)
            } else {
                control[o.group].append(o.value)
            }
        }
        let tested = names.indices.filter {
            treatment[$0].count >= Self.minimumUsers && control[$0].count >= Self.minimumUsers
        }
        let confidence = 1 - alpha / Double(max(1, tested.count))
        let z = try Normal(mean: 0, sd: 1).quantile(1 - (1 - confidence) / 2)
        var lifts: [Int: (Double, ClosedRange<Double>?, Double?)] = [:]
        for g in tested {
            if isProportion {
                let t = try TwoProportions(
                    treatmentSuccesses: Int(treatment[g].reduce(0, +)), treatmentTrials: treatment[g].count,
                    controlSuccesses: Int(control[g].reduce(0, +)), controlTrials: control[g].count,
                    confidence: confidence)
                lifts[g] = (t.difference, t.waldInterval, t.waldPValue)
            } else {
                let w = try WelchTest(treatment: treatment[g], control: control[g], confidence: confidence)
                lifts[g] = (w.difference, w.interval, w.pValue)
            }
        }
        // Holm over the groups with a p-value, in the order of `tested`.
        let withP = tested.filter { lifts[$0]?.2 != nil }
        let holm = try MultipleTesting.holm(withP.map { lifts[$0]!.2! })
        let adjusted = Dictionary(uniqueKeysWithValues: zip(withP, holm))
        self.dimension = dimension
        self.metric = metric
        self.confidence = confidence
        groups = names.indices.compactMap { g -> Group? in
            let (nt, nc) = (treatment[g].count, control[g].count)
            guard nt + nc > 0 else { return nil }
            let lift = lifts[g]
            var trueEffect: Double?
            var trueInterval: ClosedRange<Double>?
            if nt > 0 {
                let summary = Summary(truth[g])
                trueEffect = summary.mean
                if nt > 1 {
                    let half = z * (summary.variance / Double(nt)).squareRoot()
                    trueInterval = (summary.mean - half)...(summary.mean + half)
                }
            }
            return Group(
                group: names[g], treatmentUsers: nt, controlUsers: nc,
                treatmentMean: nt > 0 ? Summary(treatment[g]).mean : nil,
                controlMean: nc > 0 ? Summary(control[g]).mean : nil,
                absoluteLift: lift?.0, lower: lift?.1?.lowerBound, upper: lift?.1?.upperBound, pValue: lift?.2,
                pValueHolm: adjusted[g], trueEffect: trueEffect, trueEffectLower: trueInterval?.lowerBound,
                trueEffectUpper: trueInterval?.upperBound,
                trueEffectCovered: lift?.1.flatMap { i in trueEffect.map { i.contains($0) } })
        }
    }
}
