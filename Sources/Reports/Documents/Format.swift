import Analysis
import Reporting
import UsageModel

/// Number formatting without locale (the same bytes everywhere) and the report blocks shared by
/// the reports of `run`, `segment` and `evaluate`.
enum Format {
    /// The transition matrix as row percentages, expected days to churned, and drift.
    static func transitionBlocks(_ t: TransitionResults, span: String) -> [ReportBlock] {
        var blocks = transitionMatrix(labels: t.overall.labels, counts: t.overall.counts)
        blocks.append(
            .paragraph(
                "Intervals on the cells (`results.json`, `transitions.csv`) are clustered by user: one user "
                    + "contributes a transition at every evaluation, so the transitions are not independent trials."))
        blocks += timeToTargetBlocks(t)
        let tested = t.driftTests.count
        blocks.append(
            .paragraph(
                tested == 0
                    ? "No transition rate could be compared at the same tenure in the two halves of the \(span)."
                    : "Drift: of \(tested) transition rates compared between the two halves of the \(span) at the same "
                        + "tenure (within bands from "
                        + t.tenureBands.map(String.init).joined(separator: ", ")
                        + " days since sign-up, standard errors clustered by user), "
                        + (t.drift.isEmpty
                            ? "none changed"
                            : "\(t.drift.count) changed") + " at a Holm-adjusted p < \(fixed(t.driftAlpha, 2))."))
        if !t.drift.isEmpty {
            blocks.append(
                .table(
                    ReportTable(
                        header: [
                            "from", "to", "first half", "second half", "difference at same tenure (SE)", "p", "Holm p",
                        ],
                        rows: t.drift.map { d in
                            [
                                d.from, d.to, percent(d.firstHalf), percent(d.secondHalf),
                                "\(signedPoints(d.sameTenureDifference)) (\(fixed(100 * d.sameTenureStandardError, 2)))",
                                pValue(d.pValue), pValue(d.adjustedPValue),
                            ]
                        }, numericFrom: 2)))
        }
        return blocks
    }

    /// Days to dormant and churned, measured (Kaplan–Meier).
    static func timeToTargetBlocks(_ t: TransitionResults) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        for target in ["dormant", "churned"] {
            guard let measured = t.measuredDaysTo[target], !measured.isEmpty else { continue }
            let rows = t.overall.labels.compactMap { from -> [String]? in
                guard let m = measured[from] else { return nil }
                return [
                    from, "\(m.entrants)", percent(m.reachedByEnd), m.medianDays.map { fixed($0, 0) } ?? "–",
                    fixed(m.restrictedMeanDays, 1) + " (τ \(fixed(m.restrictedToDays, 0)))",
                ]
            }
            blocks.append(
                .table(
                    ReportTable(
                        caption:
                            "Days from entering a segment to first reaching \(target): measured on users' first entries "
                            + "(Kaplan–Meier, censored at the end of the data)",
                        header: ["entered", "users", "reached by τ", "median days", "mean days up to τ"], rows: rows,
                        numericFrom: 1)))
        }
        if !blocks.isEmpty {
            blocks.append(
                .paragraph(
                    "These are measured, not read off the transition matrix: a segment is a function of rolling usage "
                        + "windows, so the segments are not a Markov chain, and hitting times or long-run shares computed "
                        + "as if they were would be extrapolations."))
        }
        return blocks
    }

    static func signedPoints(_ x: Double) -> String { (x >= 0 ? "+" : "") + fixed(100 * x, 2) + " pp" }

    static func pValue(_ p: Double) -> String { p < 0.0001 ? "< 0.0001" : fixed(p, 4) }

    /// Row percentages of a transition count table, rows and columns nobody was in left out.
    static func transitionMatrix(labels: [String], counts: [[Int]]) -> [ReportBlock] {
        let rows = labels.indices.filter { counts[$0].reduce(0, +) > 0 }
        guard !rows.isEmpty else { return [.paragraph("No user was seen at two consecutive evaluations.")] }
        let columns = labels.indices.filter { j in rows.contains { counts[$0][j] > 0 } }
        return [
            .paragraph(
                "Share of the users in each segment (row) found in each segment (column) at the next evaluation, over "
                    + "all pairs of consecutive evaluations; the last column counts the transitions behind each row (a user "
                    + "counts once per pair of evaluations)."),
            .table(
                ReportTable(
                    header: ["from ↓ to →"] + columns.map { labels[$0] } + ["transitions"],
                    rows: rows.map { i in
                        let total = counts[i].reduce(0, +)
                        return [labels[i]]
                            + columns.map { counts[i][$0] == 0 ? "·" : percent(Double(counts[i][$0]) / Double(total)) }
                            + ["\(total)"]
                    })),
        ]
    }

    /// The metrics of each predictor at each cutoff.
    static func predictionBlocks(_ p: PredictionResults, intro: String) -> [ReportBlock] {
        var blocks: [ReportBlock] = p.skipped.map { .warning("No prediction at \($0).") }
        guard !p.cutoffs.isEmpty else {
            if p.skipped.isEmpty {
                blocks.append(.paragraph("Too short for a cutoff with \(p.horizonDays) days after it."))
            }
            return blocks
        }
        blocks.append(.paragraph(intro + " Scored: \(p.scored)."))
        func f(_ x: Double?) -> String { x.map { fixed($0, 3) } ?? "–" }
        func auc(_ q: PredictionResults.Predictor) -> String {
            guard let a = q.rocAuc else { return "–" }
            return fixed(a, 3) + (q.rocAucInterval.map { " (\(fixed($0.lower, 3))–\(fixed($0.upper, 3)))" } ?? "")
        }
        blocks.append(
            .table(
                ReportTable(
                    header: [
                        "cutoff", "predictor", "ROC AUC (95 % CI, DeLong)", "PR AUC", "Brier", "threshold", "precision",
                        "recall", "F1", "top-decile lift",
                    ],
                    rows: p.cutoffs.flatMap { c in
                        c.predictors.map { q in
                            [
                                "\(c.date) (\(c.testChurned) of \(c.testUsers) churn)", q.name, auc(q),
                                f(q.averagePrecision), f(q.brierScore), f(q.threshold), f(q.precision), f(q.recall),
                                f(q.f1), f(q.topDecileLift),
                            ]
                        }
                    }, numericFrom: 2)))
        let comparisons = p.cutoffs.flatMap { c in c.comparisons.map { (c.date, $0) } }
        if !comparisons.isEmpty {
            blocks.append(
                .table(
                    ReportTable(
                        header: ["cutoff", "comparison", "AUC difference (95 % CI)", "p (DeLong)"],
                        rows: comparisons.map { date, x in
                            let d = x.test.difference
                            return [
                                date, "\(x.first) − \(x.second)",
                                "\(fixed(d.estimate, 3)) (\(fixed(d.lower, 3)) to \(fixed(d.upper, 3)))",
                                x.test.pValue < 0.001 ? "under 0.001" : fixed(x.test.pValue, 3),
                            ]
                        }, numericFrom: 2)))
        }
        let baselines = p.cutoffs.flatMap { c in c.baselines.map { (c.date, $0) } }
        if !baselines.isEmpty {
            blocks.append(
                .table(
                    ReportTable(
                        header: [
                            "cutoff", "model (fitted on the fitting half)", "parameters (± standard error)",
                            "log-likelihood",
                        ],
                        rows: baselines.map { date, b in
                            guard b.failed == nil else { return [date, b.name, "not fitted: \(b.failed!)", "–"] }
                            let parameters = b.parameters.keys.sorted().map { name in
                                "\(name) \(fixed(b.parameters[name]!, 3))"
                                    + (b.standardErrors[name].map { " ± \(fixed($0, 3))" } ?? "")
                            }.joined(separator: ", ")
                            return [
                                date, b.name + (b.converged ? "" : " (not converged)"), parameters,
                                f(b.logLikelihood),
                            ]
                        }, numericFrom: 3)))
        }
        let dropped = Set(p.cutoffs.flatMap(\.model.droppedFeatures)).sorted()
        if !dropped.isEmpty {
            blocks.append(
                .paragraph(
                    "Left out of the logistic model (constant, or a linear combination of the other features, on "
                        + "the fitting half): " + dropped.joined(separator: ", ") + "."))
        }
        blocks.append(
            .paragraph(
                "A model's threshold is the one with the best F1 on the fitting half; the rule flags its segments. "
                    + "Brier score and calibration only for probabilities."))
        return blocks
    }

    /// How the gradient-boosted trees were grown, in one sentence; empty for results without them.
    static func boostedTreesNote(_ p: PredictionResults) -> String {
        guard let b = p.cutoffs.first?.boostedTrees else { return "" }
        return "The gradient-boosted trees (log loss, Newton leaves) have fixed settings, chosen before any run: "
            + "\(b.trees) trees of depth \(b.maxDepth), shrinkage \(fixed(b.learningRate, 2)), at least "
            + "\(b.minSamplesLeaf) users a leaf."
    }

    /// The transition table as a heat map of row shares, rows and columns nobody was in left out.
    static func transitionHeatMap(_ t: TransitionTable) -> ReportFigure? {
        let rows = t.labels.indices.filter { t.counts[$0].reduce(0, +) > 0 }
        guard !rows.isEmpty else { return nil }
        let columns = t.labels.indices.filter { j in rows.contains { t.counts[$0][j] > 0 } }
        let map = HeatMap(
            id: "transitions", title: "Share of each segment's users found in each segment at the next evaluation",
            rowTitle: "from segment", columnTitle: "to segment", rows: rows.map { t.labels[$0] },
            columns: columns.map { t.labels[$0] }, values: rows.map { i in columns.map { t.probabilities[i][$0] } },
            counts: rows.map { i in columns.map { t.counts[i][$0] } })
        return ReportFigure(
            name: "transitions",
            caption: "Transitions between consecutive evaluations: row shares, with the users behind each cell.",
            svg: map.svg())
    }

    /// ROC curves and the calibration plot of the predictors at the first cutoff.
    static func predictionFigures(_ p: PredictionResults) -> [ReportBlock] {
        guard let c = p.cutoffs.first else { return [] }
        let roc = LineChart(
            id: "roc", title: "ROC curves at \(c.date)", xTitle: "false-positive rate", yTitle: "true-positive rate",
            series: c.predictors.map { q in
                LineChart.Series(
                    name: "\(q.name) (AUC \(q.rocAuc.map { fixed($0, 3) } ?? "–"))",
                    points: q.roc.map { (x: $0[0], y: $0[1]) })
            })
        var rocChart = roc
        rocChart.diagonal = true
        rocChart.unitRange = true
        var calibration = LineChart(
            id: "calibration", title: "Calibration at \(c.date)", xTitle: "predicted probability of churn",
            yTitle: "observed share that churned",
            series: c.predictors.filter { !$0.calibration.isEmpty }.map { q in
                LineChart.Series(
                    name: q.name,
                    points: q.calibration.compactMap { b in
                        b.meanPredicted.flatMap { m in b.observedRate.map { (x: m, y: $0) } }
                    })
            })
        calibration.diagonal = true
        calibration.unitRange = true
        calibration.markers = true
        return [
            .figure(
                ReportFigure(
                    name: "roc", caption: "ROC curves of the predictors; the dashed diagonal is a coin toss.",
                    svg: rocChart.svg())),
            .figure(
                ReportFigure(
                    name: "calibration",
                    caption:
                        "Calibration of the probabilities in ten bins of equal counts: a well-calibrated predictor "
                        + "follows the diagonal.",
                    svg: calibration.svg())),
        ]
    }

    static func interval(_ lower: Double?, _ upper: Double?) -> String {
        guard let lower, let upper else { return "–" }
        return "\(percent(lower)) – \(percent(upper))"
    }

    /// Day 0, then every 30 days, and the last day.
    static func checkpoints(days: Int) -> [Int] {
        guard days > 0 else { return [] }
        var list = Array(stride(from: 0, to: days, by: 30))
        if list.last != days - 1 { list.append(days - 1) }
        return list
    }

    static func percent(_ x: Double) -> String { fixed(100 * x, 1) + " %" }

    static func money(_ cents: Int, _ currency: String) -> String {
        let whole = cents / 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits = String(digits.dropLast(3))
        }
        return "\(digits)\(grouped) \(currency)"
    }

    /// Fixed-point formatting without locale: the same bytes everywhere.
    static func fixed(_ x: Double, _ places: Int) -> String { DecimalText.fixed(x, places) }
}
