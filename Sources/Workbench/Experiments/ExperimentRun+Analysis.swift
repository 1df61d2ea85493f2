import Analysis
import Segmentation
import Simulation
import UsageModel

/// What an experiment's results are computed from, for one block of users: users per arm, each
/// policy's counters, and each comparison's indexed users with their outcomes in the treated run and,
/// when re-simulated, in the counterfactual run, ordered by index day and user as one run of the
/// whole population registers them. Pieces of consecutive blocks merge into the whole's.
struct ExperimentPieces: Codable, Equatable {
    struct Pair: Equatable {
        var treated: ExperimentEntry
        /// `nil` when the counterfactual run did not re-simulate the user (nothing acted on them).
        var twin: ExperimentEntry?
        var inTreatmentArm: Bool
    }

    var armUsers: [Int]
    var globalControl: Int
    /// Accounts per arm and in the global control: the units of an account-randomised experiment.
    var armAccounts: [Int] = []
    var globalControlAccounts = 0
    var counters: [PolicyCounters]
    var comparisons: [[Pair]]

    init(armUsers: [Int], globalControl: Int, counters: [PolicyCounters], comparisons: [[Pair]]) {
        self.armUsers = armUsers
        self.globalControl = globalControl
        self.counters = counters
        self.comparisons = comparisons
    }

    // A run's entries are many: in a shard file each comparison's are packed bytes (base64), the
    // treated entry, a byte for the twin and the twin, a byte for the arm.
    private enum CodingKeys: String, CodingKey {
        case armUsers, globalControl, armAccounts, globalControlAccounts, counters, comparisons
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        armUsers = try c.decode([Int].self, forKey: .armUsers)
        globalControl = try c.decode(Int.self, forKey: .globalControl)
        armAccounts = try c.decode([Int].self, forKey: .armAccounts)
        globalControlAccounts = try c.decode(Int.self, forKey: .globalControlAccounts)
        counters = try c.decode([PolicyCounters].self, forKey: .counters)
        comparisons = try c.decode([PackedBase64].self, forKey: .comparisons).map { packed in
            var r = ByteReader(packed.bytes)
            var pairs: [Pair] = []
            while !r.isAtEnd {
                let treated = try ExperimentEntry(unpacking: &r)
                let twin = try r.bool() ? try ExperimentEntry(unpacking: &r) : nil
                pairs.append(Pair(treated: treated, twin: twin, inTreatmentArm: try r.bool()))
            }
            return pairs
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(armUsers, forKey: .armUsers)
        try c.encode(globalControl, forKey: .globalControl)
        try c.encode(armAccounts, forKey: .armAccounts)
        try c.encode(globalControlAccounts, forKey: .globalControlAccounts)
        try c.encode(counters, forKey: .counters)
        try c.encode(
            comparisons.map { pairs in
                var w = ByteWriter()
                for pair in pairs {
                    pair.treated.pack(into: &w)
                    w.put(pair.twin != nil)
                    pair.twin?.pack(into: &w)
                    w.put(pair.inTreatmentArm)
                }
                return PackedBase64(w.bytes)
            }, forKey: .comparisons)
    }

    /// Adds another block's pieces; entries are merged in (index day, user) order.
    mutating func add(_ o: ExperimentPieces) {
        for a in armUsers.indices {
            armUsers[a] += o.armUsers[a]
            armAccounts[a] += o.armAccounts[a]
        }
        globalControl += o.globalControl
        globalControlAccounts += o.globalControlAccounts
        for q in counters.indices { counters[q].add(o.counters[q]) }
        for k in comparisons.indices {
            comparisons[k] = (comparisons[k] + o.comparisons[k]).sorted {
                ($0.treated.indexDay, $0.treated.user) < ($1.treated.indexDay, $1.treated.user)
            }
        }
    }
}

extension ExperimentRun {
    /// The pieces of this run's users (numbered in the whole population), with the counterfactual
    /// run's entries beside the treated ones.
    func pieces(treated simulator: Simulator, counterfactual: OutcomeRecorder) -> ExperimentPieces {
        let treatment = simulator.treatment!
        let directory = simulator.directory
        let days = Int32(simulator.spec.days)
        var armUsers = [Int](repeating: 0, count: spec.arms.count)
        var globalControl = 0
        var armAccounts = armUsers
        var globalControlAccounts = 0
        let account = directory.account
        for u in 0..<directory.userCount where directory.signupDay[u] < days {
            let a = treatment.arm[u]
            // An account counts at its first user (its users are contiguous and sign up together).
            let opens = u == 0 || account[u] != account[u - 1]
            if a == TreatmentState.globalControl {
                globalControl += 1
                if opens { globalControlAccounts += 1 }
            } else {
                armUsers[Int(a)] += 1
                if opens { armAccounts[Int(a)] += 1 }
            }
        }
        let first = Int32(directory.firstUser)
        let persona = simulator.truth.persona
        let comparisons = spec.treatmentArms.enumerated().map { k, a in
            let twins = counterfactual.entries[k]
            var next = 0
            return recorder.entries[k].map { entry -> ExperimentPieces.Pair in
                var twin: ExperimentEntry?
                if next < twins.count, twins[next].user == entry.user {
                    twin = twins[next]
                    twin!.user += first
                    twin!.persona = persona[Int(entry.user)]
                    next += 1
                }
                var treated = entry
                treated.user += first
                treated.persona = persona[Int(entry.user)]
                treated.costCents = treatment.spentCents[Int(entry.user)]
                treated.unsubscribes = UInt8(treatment.unsubscribed[Int(entry.user)].nonzeroBitCount)
                treated.account = Int32(directory.firstAccount) + directory.account[Int(entry.user)]
                return ExperimentPieces.Pair(
                    treated: treated, twin: twin, inTreatmentArm: Int(treatment.arm[Int(entry.user)]) == a)
            }
        }
        var pieces = ExperimentPieces(
            armUsers: armUsers, globalControl: globalControl, counters: policy.counters, comparisons: comparisons)
        pieces.armAccounts = armAccounts
        pieces.globalControlAccounts = globalControlAccounts
        return pieces
    }
}

/// What an experiment's results need beyond its pieces: the names of the groups the primary metric is broken
/// down by and of the features, the seed that splits users for the uplift models, and whether to compute who
/// responds and who to target at all (replicates need only the lifts).
struct ExperimentContext {
    var segments: [String]
    var personas: [String]
    var plans: [String]
    var features: [String]
    var seed: UInt64
    var detail = true

    init(segmentation: CompiledSegmentation, spec: SimulationSpec, detail: Bool = true) {
        segments = segmentation.segmentNames + ["unmatched"]
        personas = spec.model.personas.map(\.name)
        plans = spec.model.commerce.plans.map(\.name)
        features = spec.model.features
        seed = spec.seed
        self.detail = detail
    }
}

extension InterventionSpec {
    /// The primary metric's lift by the segment on the index day, by persona and by plan.
    func subgroups(_ pairs: [ExperimentPieces.Pair], names: ExperimentContext) throws -> [SubgroupLifts] {
        let metric = metricNames[primaryMetric.index]
        let dimensions: [(String, [String], (ExperimentEntry) -> Int)] = [
            ("segment", names.segments, { min(Int($0.segmentAtIndex), names.segments.count - 1) }),
            ("persona", names.personas, { Int($0.persona) }),
            ("plan", names.plans, { Int($0.planAtIndex) }),
        ]
        return try dimensions.map { dimension, groups, group in
            let observations = pairs.filter(\.treated.observed).map { pair in
                let y = values(pair.treated)[primaryMetric.index]
                let twin = values(pair.twin ?? pair.treated)[primaryMetric.index]
                return SubgroupLifts.Observation(
                    group: group(pair.treated), treated: pair.inTreatmentArm, value: y, trueDifference: y - twin)
            }
            return try SubgroupLifts(
                dimension: dimension, metric: metric.0, names: groups, isProportion: metric.1,
                observations: observations)
        }
    }

    /// The primary metric with accounts as clusters, or `nil` while an arm has fewer than two accounts
    /// with an outcome.
    func clustered(_ pairs: [ExperimentPieces.Pair]) throws -> ClusterRobustComparison? {
        let observed = pairs.filter(\.treated.observed)
        do {
            return try ClusterRobustComparison(
                clusters: observed.map(\.treated.account), treated: observed.map(\.inTreatmentArm),
                outcomes: observed.map { values($0.treated)[primaryMetric.index] }, reference: .studentT)
        } catch ExperimentError.insufficientData {
            return nil
        }
    }

    /// Arms, the sample-ratio check, lift of each treatment arm against the control with the true
    /// effect beside it, who responds, survival curves, and campaign costs.
    func results(_ pieces: ExperimentPieces, context: ExperimentContext) throws -> ExperimentResults {
        let spec = self
        let armUsers = pieces.armUsers
        let globalControl = pieces.globalControl
        let arms = spec.arms.enumerated().map { i, arm in
            ExperimentResults.ArmInfo(
                name: arm.name, weight: arm.weight, control: arm.isControl,
                policies: arm.policies.map { spec.policies[$0].name }, users: armUsers[i],
                accounts: randomisation == .account ? pieces.armAccounts[i] : nil)
        }

        var comparisons: [ExperimentResults.Comparison] = []
        for (k, a) in spec.treatmentArms.enumerated() {
            let samples = try ComparisonSamples(pieces.comparisons[k], spec: spec)
            var comparison = try ExperimentStatistics.compare(
                samples, arm: spec.arms[a].name, control: spec.arms[spec.controlArm].name,
                winsorizeAt: spec.winsorizeAt)
            if context.detail {
                comparison.subgroups = try subgroups(pieces.comparisons[k], names: context)
                comparison.uplift = try uplift(pieces.comparisons[k], context: context)
            }
            if randomisation == .account {
                comparison.clustered = try clustered(pieces.comparisons[k])
            }
            comparisons.append(comparison)
        }
        let primary = spec.metricNames[spec.primaryMetric.index].0
        comparisons = try ExperimentStatistics.correctForMultipleTesting(comparisons, primary: primary)
        let currencyCents = 100.0
        let campaigns = spec.policies.enumerated().map { q, policy in
            let c = pieces.counters[q]
            return ExperimentResults.Campaign(
                policy: policy.name, channel: policy.channel.rawValue,
                arms: spec.arms.filter { $0.policies.contains(q) }.map(\.name), triggered: c.triggered, sends: c.sends,
                delivered: c.delivered, opened: c.opened, unsubscribes: c.unsubscribes,
                upgradePromptsAccepted: c.upgrades,
                notSent: [
                    "already_sent": c.alreadySent, "cooldown": c.cooldown, "no_consent": c.noConsent,
                    "unsubscribed": c.unsubscribed, "frequency_cap": c.frequencyCap,
                ],
                costPerSend: policy.costCents / currencyCents, cost: Double(c.sends) * policy.costCents / currencyCents)
        }
        for (k, a) in spec.treatmentArms.enumerated() {
            try comparisons[k].charge(spec.arms[a].policies.reduce(0.0) { $0 + campaigns[$1].cost })
        }
        var results = ExperimentResults(
            outcomeDays: spec.outcomeDays, arms: arms, globalControlUsers: globalControl,
            sampleRatio: try ExperimentStatistics.sampleRatio(
                observed: randomisation == .account
                    ? pieces.armAccounts + (spec.globalControlShare > 0 ? [pieces.globalControlAccounts] : [])
                    : armUsers + (spec.globalControlShare > 0 ? [globalControl] : []),
                shares: expectedShares),
            comparisons: comparisons, campaigns: campaigns)
        results.primaryMetric = primary
        results.randomisation = randomisation.rawValue
        return results
    }

    /// Each arm's share of all users, then the global control's when there is one.
    var expectedShares: [Double] {
        let total = arms.reduce(0) { $0 + $1.weight }
        let g = globalControlShare
        return arms.map { (1 - g) * $0.weight / total } + (g > 0 ? [g] : [])
    }
}
