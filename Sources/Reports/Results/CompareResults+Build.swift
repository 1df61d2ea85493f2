import Analysis

extension CompareResults {
    /// Sets two runs side by side; every difference is `b − a`.
    ///
    /// - Parameters:
    ///   - a: Run A's results.
    ///   - inputA: Where run A was read from, as the user gave it.
    ///   - b: Run B's results.
    ///   - inputB: Where run B was read from.
    /// - Throws: ``ExperimentError`` when a lift in the results is not a finite number.
    public init(a: RunResults, inputA: String, b: RunResults, inputB: String) throws {
        schemaVersion = Self.currentSchemaVersion
        self.a = RunIdentity(a, input: inputA)
        self.b = RunIdentity(b, input: inputB)
        differences = Self.settingDifferences(a, b)
        let sameCurrency = a.scenario.currency == b.scenario.currency
        summary = Self.measures(a.summary, b.summary, sameCurrency: sameCurrency)
        segments = Self.segments(a.segmentation, b.segmentation)
        experiment = try Self.experiment(a.experiment, b.experiment)
        campaigns = Self.campaigns(a.experiment, b.experiment, sameCurrency: sameCurrency)
    }

    static func settingDifferences(_ a: RunResults, _ b: RunResults) -> [SettingDifference] {
        let (x, y) = (a.scenario, b.scenario)
        let settings: [(String, String, String)] = [
            ("scenario", x.name, y.name),
            ("seed", "\(x.seed)", "\(y.seed)"),
            ("users", "\(x.users)", "\(y.users)"),
            ("days", "\(x.days)", "\(y.days)"),
            ("start date", x.startDate, y.startDate),
            ("sign-up days", "\(x.signupDays)", "\(y.signupDays)"),
            ("currency", x.currency, y.currency),
            (
                "segments", a.segmentation.segments.map(\.name).joined(separator: ", "),
                b.segmentation.segments.map(\.name).joined(separator: ", ")
            ),
            ("evaluated every", a.segmentation.every, b.segmentation.every),
            ("experiment arms", list(RunIdentity.arms(a.experiment)), list(RunIdentity.arms(b.experiment))),
            ("policies", list(RunIdentity.policies(a.experiment)), list(RunIdentity.policies(b.experiment))),
        ]
        var out = settings.filter { $0.1 != $0.2 }.map { SettingDifference(setting: $0.0, a: $0.1, b: $0.2) }
        if x.source != y.source { out.append(sourceDifference(x.source, y.source)) }
        return out
    }

    /// How far apart the two scenario files are, in lines.
    static func sourceDifference(_ a: String, _ b: String) -> SettingDifference {
        let linesA = a.split(separator: "\n", omittingEmptySubsequences: false)
        let linesB = b.split(separator: "\n", omittingEmptySubsequences: false)
        let change = linesB.difference(from: linesA)
        return SettingDifference(
            setting: "scenario file", a: "\(linesA.count) lines",
            b: "\(linesB.count) lines: \(change.removals.count) of A's removed, \(change.insertions.count) added")
    }

    static func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }

    /// The summary's fields by their `results.json` keys.
    static func measures(_ a: RunResults.Summary, _ b: RunResults.Summary, sameCurrency: Bool) -> [Measure] {
        let fields: [(String, String, (RunResults.Summary) -> Double?)] = [
            ("signups", "count", { Double($0.signups) }),
            ("activations", "count", { Double($0.activations) }),
            ("activation_rate", "rate", { $0.activationRate }),
            ("churned", "count", { Double($0.churned) }),
            ("conversions", "count", { Double($0.conversions) }),
            ("trial_expirations", "count", { Double($0.trialExpirations) }),
            ("trial_conversion_rate", "rate", { $0.trialConversionRate }),
            ("upgrades", "count", { Double($0.upgrades) }),
            ("downgrades", "count", { Double($0.downgrades) }),
            ("final_paying_users", "count", { Double($0.finalPayingUsers) }),
            ("final_mrr_cents", "cents", { Double($0.finalMrrCents) }),
            ("total_revenue_cents", "cents", { Double($0.totalRevenueCents) }),
            ("sessions", "count", { Double($0.sessions) }),
            ("key_actions", "count", { Double($0.keyActions) }),
            ("nps_responses", "count", { Double($0.npsResponses) }),
            ("nps", "score", { $0.nps }),
            ("stickiness_last28_days", "rate", { $0.stickinessLast28Days }),
        ]
        return fields.map { key, unit, value in
            let (x, y) = (value(a), value(b))
            let comparable = unit != "cents" || sameCurrency
            return Measure(
                measure: key, unit: unit, a: x, b: y,
                difference: comparable ? x.flatMap { x in y.map { $0 - x } } : nil)
        }
    }

    static func segments(_ a: SegmentationResults, _ b: SegmentationResults) -> Segments {
        let namesA = a.segments.map(\.name)
        let namesB = b.segments.map(\.name)
        let lastA = a.evaluations.last
        let lastB = b.evaluations.last
        let all = namesA + namesB.filter { !namesA.contains($0) }
        let final = all.map { name in
            let inA = namesA.contains(name)
            let inB = namesB.contains(name)
            let x = inA ? lastA.map { $0.sizes[name] ?? 0 } : nil
            let y = inB ? lastB.map { $0.sizes[name] ?? 0 } : nil
            let rules = [a, b].map { s in s.segments.first { $0.name == name }?.when }
            return SegmentSize(
                segment: name, presence: Presence(inA: inA, inB: inB),
                sameRule: inA && inB ? rules[0] == rules[1] : nil, a: x, b: y,
                difference: x.flatMap { x in y.map { $0 - x } })
        }
        let days = Set(a.evaluations.map(\.day) + b.evaluations.map(\.day)).sorted()
        let byDayA = Dictionary(a.evaluations.map { ($0.day, $0) }, uniquingKeysWith: { $1 })
        let byDayB = Dictionary(b.evaluations.map { ($0.day, $0) }, uniquingKeysWith: { $1 })
        let overTime = namesA.filter(namesB.contains).map { name in
            SegmentSeries(
                segment: name,
                points: days.map { day in
                    SegmentPoint(
                        day: day, a: byDayA[day].map { $0.sizes[name] ?? 0 }, b: byDayB[day].map { $0.sizes[name] ?? 0 }
                    )
                })
        }
        return Segments(
            lastEvaluationA: lastA?.date, lastEvaluationB: lastB?.date, final: final, overTime: overTime)
    }

    static let differenceMethod =
        "B's lift minus A's lift, with a normal (Wald) 95 % interval whose standard error is "
        + "sqrt(se_A^2 + se_B^2): the runs are taken as independent samples (other seeds or other users). "
        + "Each se is the one behind the run's own interval (Wald for proportions, Welch for means), recomputed "
        + "from the arms' counts. For two analyses of the same users the runs are not independent and the "
        + "interval is too wide."

    static func experiment(_ a: ExperimentResults?, _ b: ExperimentResults?) throws -> Experiment {
        let presence =
            switch (a, b) {
            case (.some, .some): "both"
            case (.some, nil): Presence.onlyA.rawValue
            case (nil, .some): Presence.onlyB.rawValue
            case (nil, nil): "neither"
            }
        let comparisonsA = a?.comparisons ?? []
        let comparisonsB = b?.comparisons ?? []
        func key(_ c: ExperimentResults.Comparison) -> String { c.arm + "\u{0}" + c.control }
        let keysA = comparisonsA.map(key)
        let keysB = comparisonsB.map(key)
        var pairs: [ComparisonPair] = []
        for k in keysA + keysB.filter({ !keysA.contains($0) }) {
            let x = comparisonsA.first { key($0) == k }
            let y = comparisonsB.first { key($0) == k }
            let any = (x ?? y)!
            pairs.append(
                ComparisonPair(
                    arm: any.arm, control: any.control, presence: Presence(inA: x != nil, inB: y != nil),
                    metrics: try metricPairs(x?.metrics ?? [], y?.metrics ?? [])))
        }
        return Experiment(
            presence: presence, outcomeDaysA: a?.outcomeDays, outcomeDaysB: b?.outcomeDays,
            primaryMetricA: a?.primaryMetric, primaryMetricB: b?.primaryMetric, method: differenceMethod,
            comparisons: pairs)
    }

    static func metricPairs(_ a: [ExperimentResults.Lift], _ b: [ExperimentResults.Lift]) throws -> [MetricPair] {
        let namesA = a.map(\.metric)
        return try (namesA + b.map(\.metric).filter { !namesA.contains($0) }).map { name in
            let x = a.first { $0.metric == name }
            let y = b.first { $0.metric == name }
            var difference: IndependentDifference?
            if let x, let y {
                // Without a standard error on either side there is an estimate but no interval.
                let errors = x.standardError.flatMap { sx in y.standardError.map { (sx, $0) } } ?? (0, 0)
                difference = try IndependentDifference(
                    first: x.absoluteLift, firstStandardError: errors.0, second: y.absoluteLift,
                    secondStandardError: errors.1)
            }
            return MetricPair(
                metric: name, kind: (x ?? y)!.kind, presence: Presence(inA: x != nil, inB: y != nil),
                a: x.map(LiftSide.init), b: y.map(LiftSide.init), difference: difference,
                trueEffectDifference: x.flatMap { x in y.map { $0.trueEffect - x.trueEffect } })
        }
    }

    static func campaigns(_ a: ExperimentResults?, _ b: ExperimentResults?, sameCurrency: Bool) -> Campaigns {
        let policiesA = a?.campaigns ?? []
        let policiesB = b?.campaigns ?? []
        let namesA = policiesA.map(\.policy)
        let pairs = (namesA + policiesB.map(\.policy).filter { !namesA.contains($0) }).map { name in
            let x = policiesA.first { $0.policy == name }
            let y = policiesB.first { $0.policy == name }
            let (nx, ny) = (x.map(CampaignNumbers.init), y.map(CampaignNumbers.init))
            return PolicyPair(
                policy: name, presence: Presence(inA: x != nil, inB: y != nil), channelA: x?.channel,
                channelB: y?.channel, a: nx, b: ny,
                difference: nx.flatMap { nx in ny.map { CampaignDifference(nx, $0, sameCurrency: sameCurrency) } })
        }
        let totalA = a.map { CampaignNumbers(sum: $0.campaigns) }
        let totalB = b.map { CampaignNumbers(sum: $0.campaigns) }
        return Campaigns(
            policies: pairs, totalA: totalA, totalB: totalB,
            totalDifference: totalA.flatMap { x in totalB.map { CampaignDifference(x, $0, sameCurrency: sameCurrency) }
            })
    }
}

extension CompareResults.Presence {
    init(inA: Bool, inB: Bool) {
        self = inA && inB ? .both : (inA ? .onlyA : .onlyB)
    }
}

extension CompareResults.RunIdentity {
    init(_ r: RunResults, input: String) {
        self.input = input
        scenario = r.scenario.name
        description = r.scenario.description
        seed = r.scenario.seed
        users = r.scenario.users
        accounts = r.population.accounts
        days = r.scenario.days
        startDate = r.scenario.startDate
        signupDays = r.scenario.signupDays
        currency = r.scenario.currency
        arms = Self.arms(r.experiment)
        policies = Self.policies(r.experiment)
    }

    static func arms(_ e: ExperimentResults?) -> [String] { e?.arms.map(\.name) ?? [] }
    static func policies(_ e: ExperimentResults?) -> [String] { e?.campaigns.map(\.policy) ?? [] }
}

extension CompareResults.LiftSide {
    init(_ m: ExperimentResults.Lift) {
        lift = m.absoluteLift
        lower = m.lower
        upper = m.upper
        standardError = m.standardError
        pValue = m.pValue
        trueEffect = m.trueEffect
        treatmentUsers = m.treatment.users
        controlUsers = m.control.users
    }
}

extension CompareResults.CampaignNumbers {
    init(_ c: ExperimentResults.Campaign) {
        triggered = c.triggered
        sends = c.sends
        unsubscribes = c.unsubscribes
        cost = c.cost
    }

    init(sum campaigns: [ExperimentResults.Campaign]) {
        triggered = campaigns.reduce(0) { $0 + $1.triggered }
        sends = campaigns.reduce(0) { $0 + $1.sends }
        unsubscribes = campaigns.reduce(0) { $0 + $1.unsubscribes }
        cost = campaigns.reduce(0) { $0 + $1.cost }
    }
}

extension CompareResults.CampaignDifference {
    init(_ a: CompareResults.CampaignNumbers, _ b: CompareResults.CampaignNumbers, sameCurrency: Bool) {
        triggered = b.triggered - a.triggered
        sends = b.sends - a.sends
        unsubscribes = b.unsubscribes - a.unsubscribes
        cost = sameCurrency ? b.cost - a.cost : nil
    }
}
