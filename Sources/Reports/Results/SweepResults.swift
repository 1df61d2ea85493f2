public import Analysis

/// `sweep.json`: a scenario run at every point of a grid of settings, each point's treatment arms against the
/// control on the primary metric — measured and true — with what they cost, and the settings no other beats.
///
/// Every figure is computed here from the experiments' results, so a sweep can be recomputed from its runs.
public struct SweepResults: Codable, Sendable {
    /// Raised when a field changes meaning or one the report needs is added.
    public static let currentSchemaVersion = 1

    public var schemaVersion = SweepResults.currentSchemaVersion
    public let scenario: String
    /// The seeds each point ran: the run's, then `seed + 1`, … (`--replicates`).
    public let seeds: [UInt64]
    public let users: Int
    public let days: Int
    public let primaryMetric: String
    /// `proportion` (the incremental figures count users) or `mean` (they add up the metric's units).
    public let metricKind: String
    public let outcomeDays: Int
    public let currency: String
    /// Each `--vary`, in the order given; the grid is their Cartesian product, the last varying fastest.
    public let varied: [Varied]
    public let points: [Point]
    /// Per x (`cost`, `unsubscribes`) and figures (`true`, `measured`): the settings on the Pareto frontier.
    public let frontiers: [Frontier]
    /// With `--budget`: the best setting within it by the true figures, and what the measured ones would pick.
    public let budget: BudgetChoice?

    public struct Varied: Codable, Sendable, Equatable {
        public let path: String
        public let values: [String]

        public init(path: String, values: [String]) {
            self.path = path
            self.values = values
        }
    }

    public struct Setting: Codable, Sendable, Equatable {
        public let path: String
        public let value: String

        public init(path: String, value: String) {
            self.path = path
            self.value = value
        }
    }

    public struct Point: Codable, Sendable {
        /// From 0, in grid order.
        public let index: Int
        public let settings: [Setting]
        public let arms: [Arm]
    }

    /// A figure with its 95 % interval; no interval where there is too little to compute one.
    public struct Estimate: Codable, Sendable, Equatable {
        public let value: Double
        public let lower: Double?
        public let upper: Double?

        public init(value: Double, lower: Double?, upper: Double?) {
            self.value = value
            self.lower = lower
            self.upper = upper
        }

        init(_ m: MeanInterval) { self.init(value: m.mean, lower: m.lower, upper: m.upper) }

        func scaled(by factor: Double) -> Estimate {
            Estimate(MeanInterval(mean: value, lower: lower, upper: upper, count: 0).scaled(by: factor))
        }
    }

    /// One treatment arm of one point against the control, over the point's seeds.
    public struct Arm: Codable, Sendable {
        public let arm: String
        public let control: String
        /// The lift of the primary metric in the first seed's run, with its interval from that run.
        public let measured: Estimate
        /// With several seeds: the mean lift over them, with the Student t interval across them.
        public let measuredOverReplicates: Estimate?
        /// The mean true difference: with one seed, over the run's treated users with the Student t interval of
        /// their differences; with several, the mean of the runs' true effects with the interval across them.
        public let trueEffect: Estimate
        /// Users indexed in the arm (observed long enough or not), the mean over the seeds.
        public let treatedIndexed: Double
        /// Effect × treated indexed users: measured (the first run's lift, or with several seeds the mean over
        /// them of each run's lift × its indexed users) and true (the same with the true effect).
        public let incrementalMeasured: Estimate
        public let incrementalTrue: Estimate
        /// What the arm's policies cost, their sends and unsubscribes: means over the seeds.
        public let cost: Double
        public let sends: Double
        public let unsubscribes: Double
        /// Cost over the incremental figure; `nil` when nothing was gained.
        public let costPerIncrementalMeasured: Double?
        public let costPerIncrementalTrue: Double?
        public let runs: [Run]
    }

    /// One seed's figures for an arm, as its experiment gave them.
    public struct Run: Codable, Sendable {
        public let seed: UInt64
        public let treatedIndexed: Int
        /// Users observed for the whole outcome window, on whom the lift is measured.
        public let treatedObserved: Int
        public let controlObserved: Int
        public let lift: Double
        public let lower: Double?
        public let upper: Double?
        public let pValue: Double?
        /// Over the run's treated users, with the Student t interval of their differences.
        public let trueEffect: Estimate
        public let cost: Double
        public let sends: Int
        public let unsubscribes: Int
    }

    /// A setting: an arm of a grid point.
    public struct SettingRef: Codable, Sendable, Equatable {
        public let point: Int
        public let arm: String

        public init(point: Int, arm: String) {
            self.point = point
            self.arm = arm
        }
    }

    public struct Frontier: Codable, Sendable {
        /// `cost` or `unsubscribes`: what is spent.
        public let x: String
        /// `true` or `measured`: which incremental figure is gained.
        public let figures: String
        /// By x, lowest first.
        public let settings: [SettingRef]
    }

    public struct BudgetChoice: Codable, Sendable {
        public let budget: Double
        /// Settings whose cost is at most the budget.
        public let withinBudget: Int
        /// The most incremental by the true figures among them (ties: the cheaper, then the earlier); `nil` when
        /// none gains anything.
        public let byTrue: SettingRef?
        /// What the measured figures would have chosen the same way.
        public let byMeasured: SettingRef?
    }

    /// What one seed of a point gave: the experiment's results and, per comparison, the true effect of the
    /// primary metric over the treated users with its interval.
    public struct Replicate: Sendable {
        public let seed: UInt64
        public let experiment: ExperimentResults
        public let trueEffects: [MeanInterval]

        public init(seed: UInt64, experiment: ExperimentResults, trueEffects: [MeanInterval]) {
            self.seed = seed
            self.experiment = experiment
            self.trueEffects = trueEffects
        }
    }

    /// - Parameters:
    ///   - points: Each grid point's settings and its replicates, in seed order; every replicate has the same
    ///     arms.
    public init(
        scenario: String, users: Int, days: Int, currency: String, varied: [Varied],
        points: [(settings: [Setting], replicates: [Replicate])], budget: Double?
    ) throws {
        self.scenario = scenario
        self.users = users
        self.days = days
        self.currency = currency
        self.varied = varied
        let first = points.first?.replicates.first?.experiment
        seeds = points.first?.replicates.map(\.seed) ?? []
        primaryMetric = first?.primaryMetric ?? ""
        outcomeDays = first?.outcomeDays ?? 0
        metricKind = first?.comparisons.first.flatMap { Self.primary($0, first!) }?.kind ?? "proportion"
        self.points = try points.enumerated().map { i, p in
            let arms = try (p.replicates.first?.experiment.comparisons.indices ?? 0..<0).map { k in
                try Self.arm(k, p.replicates)
            }
            return Point(index: i, settings: p.settings, arms: arms)
        }
        let settings = self.points.flatMap { p in p.arms.map { (p.index, $0) } }
        func frontier(_ x: String, _ figures: String) -> Frontier {
            let cost = settings.map { x == "cost" ? $0.1.cost : $0.1.unsubscribes }
            let gain = settings.map {
                figures == "true" ? $0.1.incrementalTrue.value : $0.1.incrementalMeasured.value
            }
            return Frontier(
                x: x, figures: figures,
                settings: ParetoFrontier.indices(cost: cost, gain: gain).map {
                    SettingRef(point: settings[$0].0, arm: settings[$0].1.arm)
                })
        }
        frontiers = [
            frontier("cost", "true"), frontier("cost", "measured"), frontier("unsubscribes", "true"),
            frontier("unsubscribes", "measured"),
        ]
        self.budget = budget.map { b in
            // Costs are sums of sends times a price: a setting that spends the budget exactly is within it.
            let within = settings.filter { $0.1.cost <= b + 1e-9 * max(1, b) }
            func best(_ gain: (Arm) -> Double) -> SettingRef? {
                let ranked = within.enumerated().filter { gain($0.element.1) > 0 }.min {
                    (-gain($0.element.1), $0.element.1.cost, $0.offset)
                        < (-gain($1.element.1), $1.element.1.cost, $1.offset)
                }
                return ranked.map { SettingRef(point: $0.element.0, arm: $0.element.1.arm) }
            }
            return BudgetChoice(
                budget: b, withinBudget: within.count, byTrue: best { $0.incrementalTrue.value },
                byMeasured: best { $0.incrementalMeasured.value })
        }
    }

    /// The arm and point a reference names.
    public func arm(_ ref: SettingRef) -> Arm? {
        points.first { $0.index == ref.point }?.arms.first { $0.arm == ref.arm }
    }

    /// The comparison's declared primary metric.
    static func primary(_ c: ExperimentResults.Comparison, _ e: ExperimentResults) -> ExperimentResults.Lift? {
        c.metrics.first { $0.metric == e.primaryMetric }
    }

    /// Comparison `k` over a point's replicates.
    static func arm(_ k: Int, _ replicates: [Replicate]) throws -> Arm {
        let runs = try replicates.map { r in
            let e = r.experiment
            let c = e.comparisons[k]
            guard let m = primary(c, e) else {
                throw ExperimentError.insufficientData("no primary metric '\(e.primaryMetric)' in \(c.arm)")
            }
            let campaigns = e.campaigns.filter { $0.arms.contains(c.arm) }
            let truth = r.trueEffects[k]
            return Run(
                seed: r.seed, treatedIndexed: c.treatmentIndexed, treatedObserved: m.treatment.users,
                controlObserved: m.control.users, lift: m.absoluteLift, lower: m.lower, upper: m.upper,
                pValue: m.pValue,
                trueEffect: Estimate(value: m.trueEffect, lower: truth.lower, upper: truth.upper), cost: c.cost,
                sends: campaigns.reduce(0) { $0 + $1.sends }, unsubscribes: campaigns.reduce(0) { $0 + $1.unsubscribes }
            )
        }
        let first = runs[0]
        let c = replicates[0].experiment.comparisons[k]
        let measured = Estimate(value: first.lift, lower: first.lower, upper: first.upper)
        let indexed = ExperimentStatistics.mean(runs.map { Double($0.treatedIndexed) })
        let over: Estimate?
        let truth: Estimate
        let incrementalMeasured: Estimate
        let incrementalTrue: Estimate
        if runs.count == 1 {
            over = nil
            truth = first.trueEffect
            incrementalMeasured = measured.scaled(by: indexed)
            incrementalTrue = truth.scaled(by: indexed)
        } else {
            over = Estimate(try MeanInterval(runs.map(\.lift)))
            truth = Estimate(try MeanInterval(runs.map(\.trueEffect.value)))
            incrementalMeasured = Estimate(try MeanInterval(runs.map { $0.lift * Double($0.treatedIndexed) }))
            incrementalTrue = Estimate(try MeanInterval(runs.map { $0.trueEffect.value * Double($0.treatedIndexed) }))
        }
        let cost = ExperimentStatistics.mean(runs.map(\.cost))
        func per(_ gained: Double) -> Double? { gained > 0 ? cost / gained : nil }
        return Arm(
            arm: c.arm, control: c.control, measured: measured, measuredOverReplicates: over, trueEffect: truth,
            treatedIndexed: indexed, incrementalMeasured: incrementalMeasured, incrementalTrue: incrementalTrue,
            cost: cost, sends: ExperimentStatistics.mean(runs.map { Double($0.sends) }),
            unsubscribes: ExperimentStatistics.mean(runs.map { Double($0.unsubscribes) }),
            costPerIncrementalMeasured: per(incrementalMeasured.value),
            costPerIncrementalTrue: per(incrementalTrue.value), runs: runs)
    }
}
