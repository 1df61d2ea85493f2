import Analysis
import Reporting

/// The experiment's sections of the run report: lift per arm with the true effect beside it,
/// survival, power over replicates, and what the campaigns cost.
enum ExperimentReport {
    typealias F = Format

    /// Each arm's primary metric in one sentence, for the summary: the p-value quoted is the one adjusted
    /// across the arms (Holm), which the verdict follows.
    static func headline(_ e: ExperimentResults) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        if e.sampleRatio.mismatch {
            blocks.append(
                .warning(
                    "Sample-ratio mismatch (p = \(e.sampleRatio.pValue.map { F.fixed($0, 5) } ?? "–")): the arms' sizes are "
                        + "not what the weights say; do not trust the lifts."))
        }
        let arms = e.comparisons.count
        for c in e.comparisons {
            guard let m = primary(c, e) else { continue }
            let adjusted = m.pValueHolm ?? m.pValue
            let significant = (adjusted ?? 1) < 0.05
            let excludesZero = m.lower.flatMap { lo in m.upper.map { lo > 0 || $0 < 0 } } ?? false
            let value = { (x: Double) in m.kind == "proportion" ? pp(x) : F.fixed(x, 2) }
            let interval = m.lower.flatMap { lo in m.upper.map { "\(value(lo)) to \(value($0))" } } ?? "no interval"
            let pText =
                arms > 1
                ? "p = \(adjusted.map { F.fixed($0, 3) } ?? "–") adjusted for \(arms) arms (Holm)"
                : "p = \(adjusted.map { F.fixed($0, 3) } ?? "–")"
            var verdict = significant ? "a significant change" : "not distinguishable from no effect"
            if !significant, excludesZero { verdict += " once the \(arms) arms are accounted for" }
            blocks.append(
                .paragraph(
                    "**\(c.arm)** against \(c.control), primary metric \(m.metric): "
                        + "\(m.kind == "proportion" ? pp(m.absoluteLift, signed: true) : F.fixed(m.absoluteLift, 2)) "
                        + "(95 % interval \(interval), \(pText)) — \(verdict); the true effect was "
                        + "\(m.kind == "proportion" ? pp(m.trueEffect, signed: true) : F.fixed(m.trueEffect, 2))."))
        }
        return blocks
    }

    /// The comparison's declared primary metric (the first metric in results without roles).
    static func primary(_ c: ExperimentResults.Comparison, _ e: ExperimentResults) -> ExperimentResults.Lift? {
        c.metrics.first { $0.metric == e.primaryMetric } ?? c.metrics.first
    }

    static func sections(_ e: ExperimentResults, replicates: ReplicateResults?, currency: String) -> [ReportSection] {
        var out = [lift(e), estimators(e)]
        if e.comparisons.contains(where: { !$0.subgroups.isEmpty }) { out.append(responders(e)) }
        if e.comparisons.contains(where: { $0.uplift != nil }) { out.append(targeting(e, currency: currency)) }
        out.append(survival(e))
        out.append(replicates.map(power) ?? analyticPower(e))
        out.append(campaigns(e, currency: currency))
        return out
    }

    static func pp(_ x: Double, signed: Bool = false) -> String {
        (signed && x > 0 ? "+" : "") + F.fixed(100 * x, 2) + " pp"
    }

    static func lift(_ e: ExperimentResults) -> ReportSection {
        var blocks: [ReportBlock] = []
        let arms = e.arms.map { arm in
            "\(arm.name) \(arm.users)" + (arm.accounts.map { " in \($0) accounts" } ?? "")
                + (arm.control ? " (control)" : "")
        }
        let global = e.globalControlUsers > 0 ? "; global control \(e.globalControlUsers)" : ""
        blocks.append(.paragraph("Users per arm: " + arms.joined(separator: ", ") + global + "."))
        let srm = e.sampleRatio
        if srm.mismatch {
            blocks.append(
                .warning(
                    "Sample-ratio mismatch (χ² p = \(srm.pValue.map { F.fixed($0, 5) } ?? "–")): do not trust the lifts."
                ))
        } else {
            blocks.append(
                .paragraph(
                    "Split as the weights say (sample-ratio χ² p = \(srm.pValue.map { F.fixed($0, 3) } ?? "–"))."))
        }
        blocks.append(
            .paragraph(
                "Each user enters a comparison on their index day, the first time one of the arm's policies triggers "
                    + "(control users are triggered the same way, without a send); outcomes are taken \(e.outcomeDays) days "
                    + "later. The primary metric, declared in the scenario, is \(e.primaryMetric): its p-values are "
                    + "Holm-adjusted across the arms. Every other metric is exploratory, adjusted across all arms and "
                    + "exploratory metrics: a hint for the next experiment, not a finding. Intervals are 95 % (Wald for "
                    + "proportions, Welch for means), each from the same standard error as its raw p-value, so an "
                    + "interval excludes 0 exactly when p < 0.05. The true effect comes from the counterfactual run: the "
                    + "same users without any campaign."))
        var rows: [[String]] = []
        for c in e.comparisons {
            for m in c.metrics {
                let proportion = m.kind == "proportion"
                func value(_ x: Double) -> String { proportion ? F.percent(x) : F.fixed(x, 2) }
                func diff(_ x: Double) -> String { proportion ? pp(x) : F.fixed(x, 2) }
                let interval = range(m.lower, m.upper, diff)
                rows.append([
                    c.arm, m.metric + (m.role == "primary" ? " (primary)" : " (exploratory)"),
                    "\(value(m.treatment.mean)) (n=\(m.treatment.users))",
                    "\(value(m.control.mean)) (n=\(m.control.users))", diff(m.absoluteLift),
                    m.relativeLift.map { F.percent($0) } ?? "–", interval, m.pValue.map { F.fixed($0, 4) } ?? "–",
                    m.pValueHolm.map { F.fixed($0, 4) } ?? "–", diff(m.trueEffect),
                ])
            }
        }
        let forest = IntervalChart(
            id: "lift", title: "Lift against the control, with the true effect",
            xTitle: "lift, percentage points",
            rows: e.comparisons.flatMap { c in
                c.metrics.filter { $0.kind == "proportion" && ($0.treatment.mean > 0 || $0.control.mean > 0) }.map {
                    m in
                    IntervalChart.Row(
                        label: "\(c.arm): \(m.metric)", estimate: 100 * m.absoluteLift, lower: m.lower.map { 100 * $0 },
                        upper: m.upper.map { 100 * $0 }, truth: 100 * m.trueEffect)
                }
            })
        blocks.append(
            .figure(
                ReportFigure(
                    name: "lift",
                    caption: "Measured lift (dot, 95 % interval) and true effect (diamond) per arm and metric.",
                    svg: forest.svg())))
        blocks.append(
            .table(
                ReportTable(
                    header: [
                        "arm", "metric", "treatment", "control", "lift", "relative", "95 % interval", "p",
                        "p (Holm, family)", "true effect",
                    ], rows: rows, numericFrom: 2)))
        if e.randomisation == "account" { blocks += clustered(e) }
        return ReportSection(id: "lift", title: "Lift against the control", blocks: blocks)
    }

    static func survival(_ e: ExperimentResults) -> ReportSection {
        var rows: [[String]] = []
        var notes: [ReportBlock] = []
        for c in e.comparisons {
            guard let s = c.survival else { continue }
            // Beyond the longest follow-up the curve says nothing: a 20-day run has no day-30 retention.
            func at(_ curve: [ExperimentResults.CurvePoint], _ followUp: Double, _ day: Double) -> String {
                day > followUp ? "–" : F.percent(curve.last { $0.day <= day }?.survival ?? 1)
            }
            rows.append([
                c.arm, at(s.treatment, s.treatmentFollowUpDays, 30), at(s.control, s.controlFollowUpDays, 30),
                at(s.treatment, s.treatmentFollowUpDays, 90), at(s.control, s.controlFollowUpDays, 90),
                s.logRankChiSquare.map { F.fixed($0, 2) } ?? "–",
                s.logRankPValue.map { F.fixed($0, 4) } ?? "not computable",
            ])
            if let reason = s.logRankNotComputable {
                notes.append(.warning("Log-rank test for \(c.arm) not computable on this run: \(reason)."))
            }
        }
        var figures: [ReportBlock] = []
        for (k, c) in e.comparisons.enumerated() {
            guard let s = c.survival else { continue }
            // Each curve starts at 1 on day 0 and, as Kaplan–Meier plots do, runs flat from its last
            // event to the end of follow-up.
            func series(_ name: String, _ curve: [ExperimentResults.CurvePoint], _ followUp: Double) -> LineChart.Series
            {
                var points = [(day: 0.0, survival: 1.0, lower: 1.0, upper: 1.0)]
                points += curve.map { ($0.day, $0.survival, $0.lower ?? $0.survival, $0.upper ?? $0.survival) }
                if let last = points.last, followUp > last.day {
                    points.append((followUp, last.survival, last.lower, last.upper))
                }
                return LineChart.Series(
                    name: name, points: points.map { (x: $0.day, y: $0.survival) },
                    band: points.map { (lower: $0.lower, upper: $0.upper) })
            }
            var chart = LineChart(
                id: "survival-\(k)", title: "Retention from the index day: \(c.arm) and \(c.control)",
                xTitle: "days since the index day", yTitle: "not yet 30 days without a session",
                series: [
                    series(c.arm, s.treatment, s.treatmentFollowUpDays),
                    series(c.control, s.control, s.controlFollowUpDays),
                ])
            chart.step = true
            chart.yPercent = true
            figures.append(
                .figure(
                    ReportFigure(
                        name: "survival-\(k)",
                        caption: "Kaplan–Meier curves with 95 % bands (log-log), \(c.arm) against \(c.control).",
                        svg: chart.svg())))
        }
        return ReportSection(
            id: "survival", title: "Retention curves",
            blocks: figures + [
                .paragraph(
                    "Kaplan–Meier estimates of the share of users who have not yet gone 30 days in a row without a "
                        + "session, counted from the index day: idle days before it do not count, so a user idle since "
                        + "before the index day lapses 29 days after it at the earliest. Users are censored at the end of "
                        + "the run; the log-rank test compares each arm with the control."),
                .table(
                    ReportTable(
                        header: [
                            "arm", "arm, day 30", "control, day 30", "arm, day 90", "control, day 90", "log-rank χ²",
                            "p",
                        ],
                        rows: rows)),
            ] + notes)
    }

    /// "lower – upper" in the given format, or "–" without an interval.
    /// With accounts randomised: the primary metric with accounts as clusters beside the user-level figures.
    static func clustered(_ e: ExperimentResults) -> [ReportBlock] {
        var rows: [[String]] = []
        for c in e.comparisons {
            guard let r = c.clustered, let m = primary(c, e) else { continue }
            let f = { (x: Double) in m.kind == "proportion" ? pp(x) : F.fixed(x, 2) }
            rows.append([
                c.arm, "\(r.treatmentClusters) / \(r.controlClusters)", F.fixed(r.meanClusterSize, 1),
                estimate(r.difference, r.interval?.lowerBound, r.interval?.upperBound, f),
                r.pValue.map { F.fixed($0, 4) } ?? "–", estimate(m.absoluteLift, m.lower, m.upper, f),
                r.designEffect.map { F.fixed($0, 2) } ?? "–", r.intraclassCorrelation.map { F.fixed($0, 3) } ?? "–",
                f(m.trueEffect),
            ])
        }
        return [
            .paragraph(
                "Accounts, not users, were randomised: every user of an account is in one arm, so no treated user has "
                    + "a teammate in the control. Users of one account are alike, so the user-level interval above is "
                    + "too narrow; the cluster-robust one (CR1 with accounts as clusters, Student t with G − 1 degrees "
                    + "of freedom) is the one to read. The design effect is how many times the user-level variance "
                    + "understates it; the intraclass correlation is the one-way ANOVA estimate (Donner and Klar 2000)."
            ),
            .table(
                ReportTable(
                    caption: "\(e.primaryMetric) with accounts as clusters",
                    header: [
                        "arm", "accounts (treatment / control)", "users per account", "lift (cluster-robust 95 %)", "p",
                        "lift (user-level 95 %)", "design effect", "intraclass correlation", "true effect",
                    ], rows: rows)),
        ]
    }

    /// The primary metric's lift by the segment on the index day, by persona and by plan, the true effect beside.
    static func responders(_ e: ExperimentResults) -> ReportSection {
        var blocks: [ReportBlock] = [
            .paragraph(
                "Who responds: the primary metric (\(e.primaryMetric)) within groups of the indexed users — the segment "
                    + "they were in when the policy triggered, their persona (known only to the simulation) and their "
                    + "plan. Looking at many groups finds a difference by chance, so each dimension's intervals hold "
                    + "together: each is at 1 − 0.05/m for its m groups with at least "
                    + "\(SubgroupLifts.minimumUsers) users in both arms (Bonferroni), and its p-values are Holm-adjusted "
                    + "over the same groups. The true effect is the mean over the group's treatment users of their "
                    + "outcome with the campaign minus without, with its interval at the same level.")
        ]
        for c in e.comparisons {
            for d in c.subgroups {
                let proportion = c.metrics.first { $0.metric == d.metric }?.kind == "proportion"
                let f = { (x: Double) in proportion ? pp(x) : F.fixed(x, 2) }
                let value = { (x: Double?) in x.map { proportion ? F.percent($0) : F.fixed($0, 2) } ?? "–" }
                let rows = d.groups.map { g in
                    [
                        g.group, "\(value(g.treatmentMean)) (n=\(g.treatmentUsers))",
                        "\(value(g.controlMean)) (n=\(g.controlUsers))",
                        g.absoluteLift.map { estimate($0, g.lower, g.upper, f) } ?? "too few users",
                        g.pValueHolm.map { F.fixed($0, 4) } ?? "–",
                        g.trueEffect.map { estimate($0, g.trueEffectLower, g.trueEffectUpper, f) } ?? "–",
                    ]
                }
                blocks.append(
                    .table(
                        ReportTable(
                            caption: "\(c.arm): \(d.metric) by \(d.dimension), intervals at "
                                + F.fixed(100 * d.confidence, 2) + " %",
                            header: [
                                d.dimension, "treatment", "control", "lift (interval)", "p (Holm)", "true effect",
                            ],
                            rows: rows, numericFrom: 1)))
            }
        }
        return ReportSection(id: "responders", title: "Who responds", blocks: blocks)
    }

    /// Uplift models scored against measured outcomes and true effects, and the targeting policies they imply.
    static func targeting(_ e: ExperimentResults, currency: String) -> ReportSection {
        var blocks: [ReportBlock] = []
        guard let first = e.comparisons.lazy.compactMap(\.uplift).first else {
            return ReportSection(id: "targeting", title: "Who to target", blocks: [])
        }
        blocks.append(
            .paragraph(
                "Who to target: a T-learner and an X-learner (Künzel et al. 2019) over logistic regression predict each "
                    + "user's effect on \(first.metric) from what was observable on the index day "
                    + "(\(first.features.count) features: activity in the 28 days before, sessions per day, revenue and "
                    + "tenure, the features used so far, the segment and the plan). They are fitted on one hashed half "
                    + "of the indexed users and scored on the other. Against the measured outcome, as uplift libraries "
                    + "score a model: the Qini coefficient and the normalised area under the uplift curve "
                    + "(scikit-uplift's definitions; 0 is random targeting, 1 perfect), and the uplift among the top k "
                    + "by score. Against the truth, which only a simulation knows: the cumulative sum of the treated "
                    + "users' true effects (outcome with the campaign minus without) when they are contacted in the "
                    + "model's order, normalised between random order (0) and the order of the true effects (1)."))
        let money = { (x: Double) in F.fixed(x, 2) + " " + currency }
        var rows: [[String]] = []
        var policyRows: [[String]] = []
        for (k, c) in e.comparisons.enumerated() {
            guard let u = c.uplift else { continue }
            var series: [LineChart.Series] = []
            for l in u.learners {
                let ev = l.evaluation
                let atK = ev.upliftAtK.map { a in a.overall.map { pp($0) } ?? "–" }
                rows.append(
                    [
                        c.arm, l.kind.rawValue, ev.qiniCoefficient.map { F.fixed($0, 3) } ?? "–",
                        ev.normalisedUpliftArea.map { F.fixed($0, 3) } ?? "–",
                    ] + atK.prefix(3)
                        + [ev.trueEffect?.normalisedArea.map { F.fixed($0, 3) } ?? "–"])
                if let t = ev.trueEffect {
                    series.append(
                        LineChart.Series(
                            name: l.kind.rawValue, points: t.curve.points.map { (x: $0.users, y: $0.value) }))
                }
            }
            func row(_ name: String, _ p: TargetingComparison.Policy) -> [String] {
                [
                    c.arm, name, "\(p.users)", F.fixed(p.incrementalOutcomes, 0), money(p.cost),
                    F.fixed(p.unsubscribes, 0), money(p.netValue),
                ]
            }
            if let everyone = u.learners.first?.targeting.first?.everyone {
                policyRows.append(row("everyone triggered", everyone))
            }
            for (i, t) in (u.learners.first?.targeting ?? []).enumerated() {
                for l in u.learners {
                    policyRows.append(row("\(l.kind.rawValue): \(l.targeting[i].model.name)", l.targeting[i].model))
                }
                policyRows.append(row(t.oracle.name, t.oracle))
            }
            if let t = u.learners.first?.evaluation.trueEffect {
                series.append(
                    LineChart.Series(
                        name: "by true effect", points: t.perfectCurve.points.map { (x: $0.users, y: $0.value) }))
                series.append(
                    LineChart.Series(
                        name: "random",
                        points: [
                            (x: 0, y: 0),
                            (x: Double(t.users), y: t.totalEffect * Double(t.users) / Double(t.treatedUsers)),
                        ]))
                let chart = LineChart(
                    id: "uplift-\(k)", title: "True retained users gained by targeting order: \(c.arm)",
                    xTitle: "users contacted, in order (scoring half)", yTitle: "true \(u.metric) gained",
                    series: series)
                blocks.append(
                    .figure(
                        ReportFigure(
                            name: "uplift-\(k)",
                            caption:
                                "Cumulative true effect of contacting the scoring half's users in each model's order, "
                                + "in the order of the true effects, and at random (\(c.arm)).",
                            svg: chart.svg())))
            }
        }
        let shares = first.learners.first?.evaluation.upliftAtK.prefix(3).map { "uplift, top " + F.percent($0.share) }
        blocks.append(
            .table(
                ReportTable(
                    caption: "Uplift models on the scoring half: against measured outcomes, then against true effects",
                    header: ["arm", "model", "Qini coefficient", "AUUC (normalised)"] + (shares ?? [])
                        + ["true-effect AUUC (normalised)"],
                    rows: rows, numericFrom: 2)))
        blocks.append(
            .paragraph(
                "Targeting policies on the scoring half's treated users: everyone the trigger picked, the model's top k "
                    + "by predicted effect, and the top k by true effect (the best any targeting of that many users could "
                    + "do). Retained users gained are true (the counterfactual run); cost is what the sends to those users "
                    + "cost; unsubscribes count the channels they left; the net value counts "
                    + money(first.valuePerOutcome)
                    + " per retained user gained (`value_per_retained_user`) minus the cost."))
        blocks.append(
            .table(
                ReportTable(
                    header: ["arm", "policy", "users", "retained users gained", "cost", "unsubscribes", "net value"],
                    rows: policyRows, numericFrom: 2)))
        return ReportSection(id: "targeting", title: "Who to target", blocks: blocks)
    }

    static func range(_ lower: Double?, _ upper: Double?, _ f: (Double) -> String) -> String {
        lower.flatMap { lo in upper.map { "\(f(lo)) – \(f($0))" } } ?? "–"
    }

    /// An estimate with its interval in brackets.
    static func estimate(_ x: Double, _ lower: Double?, _ upper: Double?, _ f: (Double) -> String) -> String {
        "\(f(x)) (\(range(lower, upper, f)))"
    }

    /// Each metric by every estimator beside the true effect, and the ratio metrics.
    static func estimators(_ e: ExperimentResults) -> ReportSection {
        var rows: [[String]] = []
        for c in e.comparisons {
            for m in c.metrics {
                let f = { (x: Double) in m.kind == "proportion" ? pp(x) : F.fixed(x, 2) }
                let adjusted = m.adjusted.map {
                    estimate($0.difference, $0.interval?.lowerBound, $0.interval?.upperBound, f)
                }
                // The change in the estimate's variance against the unadjusted one: −30 % is a reduction.
                let variance = m.adjusted?.varianceReduction.map { r in (r > 0 ? "−" : "+") + F.percent(abs(r)) }
                let cuped = m.cuped.map { estimate($0.absoluteLift, $0.lower, $0.upper, f) }
                let winsorized = m.winsorized.map { w in
                    estimate(w.welch.difference, w.welch.interval?.lowerBound, w.welch.interval?.upperBound, f)
                        + " at \(F.fixed(w.cap, 2))"
                }
                rows.append([
                    c.arm, m.metric, estimate(m.absoluteLift, m.lower, m.upper, f), cuped ?? "–", adjusted ?? "–",
                    variance ?? "–", winsorized ?? "–", f(m.trueEffect),
                ])
            }
        }
        var ratioRows: [[String]] = []
        for c in e.comparisons {
            for r in c.ratios {
                let t = r.test
                let f = { (x: Double) in F.fixed(x, 2) }
                ratioRows.append([
                    c.arm, r.metric, "\(f(t.treatmentRatio)) (Σ \(F.fixed(t.treatment.denominatorSum, 0)))",
                    "\(f(t.controlRatio)) (Σ \(F.fixed(t.control.denominatorSum, 0)))",
                    estimate(t.difference, t.interval?.lowerBound, t.interval?.upperBound, f),
                    t.relativeLift.map {
                        F.percent($0) + " ("
                            + range(t.relativeLiftInterval?.lowerBound, t.relativeLiftInterval?.upperBound) {
                                F.percent($0)
                            } + ")"
                    } ?? "–",
                    t.pValue.map { F.fixed($0, 4) } ?? "–", r.trueEffect.map(f) ?? "–",
                ])
            }
        }
        let level =
            e.comparisons.lazy.flatMap(\.metrics).compactMap(\.winsorized).first.map { "\($0.level)" } ?? "–"
        var blocks: [ReportBlock] = [
            .paragraph(
                "The same comparisons by other estimators, each with its 95 % interval, beside the true effect. CUPED "
                    + "adjusts for active days in the 28 days up to the index day; the regression adjustment (Lin 2013: "
                    + "outcome on arm, centred covariates and their interactions with the arm, HC2 standard errors) for "
                    + ComparisonSamples.historyNames.joined(separator: ", ")
                    + ", with an indicator for users indexed on their sign-up day, who "
                    + "have no history; its variance is given against the unadjusted estimate's (−30 % is a reduction). "
                    + "Means are also winsorized: both arms capped at the \(level) quantile of the pooled values "
                    + "(`winsorize_at`; the cap follows \"at\"), then Welch. Exploratory: "
                    + "no multiplicity correction is applied to these."),
            .table(
                ReportTable(
                    header: [
                        "arm", "metric", "unadjusted", "CUPED", "regression-adjusted", "its variance",
                        "winsorized",
                        "true effect",
                    ], rows: rows, numericFrom: 2)),
        ]
        var lookRows: [[String]] = []
        for c in e.comparisons {
            for m in c.metrics {
                let f = { (x: Double) in m.kind == "proportion" ? pp(x) : F.fixed(x, 2) }
                let sequence = m.sequential?.final.map { estimate($0.difference, $0.lower, $0.upper, f) }
                func stop(_ day: Int?) -> String {
                    guard let first = m.sequential?.firstLookDay, let last = m.sequential?.lastLookDay else {
                        return "–"
                    }
                    return day.map { "day \($0 - first + 1) of \(last - first + 1)" } ?? "never"
                }
                let bayes = m.bayesian.map { b in
                    [
                        F.percent(b.probabilityTreatmentBetter),
                        f(b.expectedLossChoosingTreatment) + " / " + f(b.expectedLossChoosingControl),
                        range(b.credibleLower, b.credibleUpper, f),
                    ]
                }
                lookRows.append(
                    [
                        c.arm, m.metric, estimate(m.absoluteLift, m.lower, m.upper, f), sequence ?? "–",
                        stop(m.sequential?.stoppingDay), stop(m.sequential?.peekingStoppingDay),
                    ] + (bayes ?? ["–", "–", "–"]))
            }
        }
        blocks.append(
            .paragraph(
                "Fixed horizon against sequential monitoring, and the Bayesian reading. The confidence sequence "
                    + "(Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas 2024, as GrowthBook's sequential testing) may be "
                    + "read every day and acted on as soon as it excludes 0; it is tightest at the number of users the "
                    + "run observes. Looks are taken on every day some outcome becomes known, from the first day each arm has 100 users with a known outcome (days are counted from that one); "
                    + "\"stops\" gives the look at which each rule would end the experiment: the sequence excluding 0, "
                    + "or the fixed-horizon p below 0.05 when read every day (peeking, which inflates false positives). "
                    + "Bayesian: Beta–Binomial with uniform priors for proportions, the normal approximation with a flat "
                    + "prior for means; the chance that the arm beats the control, the expected loss of shipping the "
                    + "arm / of keeping the control, and the 95 % credible interval."))
        blocks.append(
            .table(
                ReportTable(
                    header: [
                        "arm", "metric", "fixed horizon", "confidence sequence", "sequential stops", "peeking stops",
                        "P(arm better)", "expected loss arm / control", "credible interval",
                    ], rows: lookRows, numericFrom: 2)))
        if !ratioRows.isEmpty {
            blocks.append(
                .paragraph(
                    "Ratio metrics, a sum over users divided by another (sessions per user active in the outcome window, "
                        + "revenue per user who paid in it; Σ is the denominator), with delta-method standard errors (Deng, "
                        + "Knoblich and Lu 2018). The true effect is the treatment arm's ratio minus the same users' ratio "
                        + "in the counterfactual run."))
            blocks.append(
                .table(
                    ReportTable(
                        header: [
                            "arm", "metric", "treatment", "control", "difference", "relative", "p", "true effect",
                        ],
                        rows: ratioRows, numericFrom: 2)))
        }
        return ReportSection(id: "estimators", title: "Other estimators", blocks: blocks)
    }

    /// Without replicates: the analytic power of each proportion's test for its true effect, and
    /// the minimum detectable effect at this size.
    static func analyticPower(_ e: ExperimentResults) -> ReportSection {
        var rows: [[String]] = []
        for c in e.comparisons {
            for m in c.metrics where m.minimumDetectableEffect != nil {
                rows.append([
                    c.arm, m.metric, pp(m.trueEffect), m.powerForTrueEffect.map { F.percent($0) } ?? "–",
                    m.minimumDetectableEffect.map { pp($0) } ?? "–",
                ])
            }
        }
        return ReportSection(
            id: "power", title: "Power",
            blocks: [
                .paragraph(
                    "How likely an experiment of this size is to detect each true effect (the two-sided Wald z test at "
                        + "α = 0.05, normal approximation), and the smallest lift it detects with 80 % power. Run with "
                        + "`--replicates K` to check both against K repetitions of the experiment."),
                .table(
                    ReportTable(
                        header: ["arm", "metric", "true effect", "power for it", "minimum detectable effect (80 %)"],
                        rows: rows, numericFrom: 2)),
            ])
    }

    static func power(_ r: ReplicateResults) -> ReportSection {
        var rows: [[String]] = []
        for c in r.comparisons {
            for m in c.metrics {
                func share(_ x: Double?) -> String { x.map { F.percent($0) } ?? "–" }
                let proportion = m.metric != "revenue_per_user"
                func v(_ x: Double?) -> String { x.map { proportion ? pp($0) : F.fixed($0, 2) } ?? "–" }
                rows.append([
                    c.arm, m.metric, v(m.meanLift), v(m.standardDeviationOfLift), v(m.meanTrueEffect), share(m.power),
                    share(m.analyticPower), share(m.coverage), m.minimumDetectableEffect.map { pp($0) } ?? "–",
                ])
            }
        }
        return ReportSection(
            id: "power", title: "Power over \(r.count) replicates",
            blocks: [
                .paragraph(
                    "The experiment run again with seeds \(r.seeds.first ?? 0) to \(r.seeds.last ?? 0). Power: share of "
                        + "replicates with p < \(F.fixed(r.alpha, 2)); coverage: share whose 95 % interval holds that "
                        + "replicate's true effect; analytic power and minimum detectable effect (80 % power) from the mean "
                        + "group sizes."),
                .table(
                    ReportTable(
                        header: [
                            "arm", "metric", "mean lift", "sd of lift", "mean true effect", "power", "analytic power",
                            "coverage", "MDE",
                        ], rows: rows, numericFrom: 2)),
            ] + methods(r))
    }

    /// Every estimator of each arm's primary metric over the replicates, against the true effects.
    static func methods(_ r: ReplicateResults) -> [ReportBlock] {
        var rows: [[String]] = []
        for c in r.comparisons {
            guard let m = c.metrics.first(where: { $0.role == "primary" }) ?? c.metrics.first else { continue }
            let proportion = m.metric != "revenue_per_user"
            func v(_ x: Double?) -> String { x.map { proportion ? pp($0) : F.fixed($0, 3) } ?? "–" }
            for method in m.methods {
                rows.append([
                    c.arm, m.metric, method.method, "\(method.replicates)",
                    method.rejections.map { F.percent($0) } ?? "–", method.coverage.map { F.percent($0) } ?? "–",
                    v(method.bias), v(method.rootMeanSquareError),
                    method.medianStoppingDay.map { F.fixed($0, 0) } ?? "–",
                ])
            }
        }
        guard !rows.isEmpty else { return [] }
        return [
            .paragraph(
                "Each method on the primary metric over the replicates, against each replicate's true effect — the table "
                    + "only a simulator can print. Declares an effect: p < \(F.fixed(r.alpha, 2)), the confidence sequence "
                    + "excluding 0 at some look, or a posterior chance of beating the control outside "
                    + "[\(F.fixed(r.alpha / 2, 3)), \(F.fixed(1 - r.alpha / 2, 3))]. For an arm without effect that share is the "
                    + "false-positive rate; otherwise it is the power. Coverage: the interval (the sequence's at the last "
                    + "look) holds the true effect. Stopping day: the median day of monitoring on which the replicates that "
                    + "stopped did so. The winsorized estimate is of the capped metric, so its bias is against the raw "
                    + "true effect."),
            .table(
                ReportTable(
                    header: [
                        "arm", "metric", "method", "replicates", "declares an effect", "coverage", "bias", "RMSE",
                        "median stopping day",
                    ], rows: rows, numericFrom: 3)),
        ]
    }

    /// Fieller's set for the cost per retained user in words.
    static func costInterval(_ i: ExperimentResults.RatioInterval?, currency: String) -> String {
        guard let i else { return "no interval" }
        let money = { (x: Double) in F.fixed(x, 2) + " " + currency }
        switch i.shape {
        case .bounded:
            guard let lo = i.lower, let hi = i.upper else { return "no interval" }
            return lo > 0
                ? "95 % interval \(money(lo)) to \(money(hi))"
                : "95 % interval \(money(lo)) to \(money(hi)), negative: the arm retained fewer users"
        case .exclusive:
            guard let hi = i.upper else { return "no interval" }
            return "95 % set unbounded: at least \(money(hi)), or no gain at all"
        case .unbounded:
            return "95 % set unbounded"
        }
    }

    static func campaigns(_ e: ExperimentResults, currency: String) -> ReportSection {
        let rows = e.campaigns.map { p in
            [
                p.policy, p.channel, "\(p.triggered)", "\(p.sends)", "\(p.delivered)", "\(p.opened)",
                "\(p.unsubscribes)",
                "\(F.fixed(p.cost, 2)) \(currency)",
            ]
        }
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    header: ["policy", "channel", "triggered", "sent", "delivered", "opened", "unsubscribed", "cost"],
                    rows: rows, numericFrom: 2))
        ]
        for c in e.comparisons {
            let measured = c.costPerRetainedUser.map { F.fixed($0, 2) + " " + currency } ?? "– (no measured gain)"
            let truth = c.trueCostPerRetainedUser.map { F.fixed($0, 2) + " " + currency } ?? "– (no true gain)"
            blocks.append(
                .paragraph(
                    "\(c.arm): campaigns cost \(F.fixed(c.cost, 2)) \(currency); per retained user gained \(measured) "
                        + "measured (\(costInterval(c.costPerRetainedUserInterval, currency: currency))), \(truth) true."
                ))
        }
        blocks.append(
            .paragraph(
                "The interval is Fieller's for the spend over the retained users gained, the spend counted as known; it "
                    + "is bounded only when the retention lift is significant."))
        return ReportSection(id: "campaigns", title: "Campaign cost", blocks: blocks)
    }
}
