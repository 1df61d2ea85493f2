import Analysis
public import Reporting

/// The report of `segmentlab twin`: first where the twin is faithful, figure by figure, then each figure with the
/// real log and the twin side by side.
public enum TwinReport {
    public static func document(_ r: TwinResults) -> ReportDocument {
        var sections = [faithful(r)]
        for figure in r.figures { sections.append(section(figure, r)) }
        sections.append(definitions(r))
        return ReportDocument(
            title: "Twin of \(r.source.files.joined(separator: ", "))",
            subtitle:
                "The log (\(r.realUsers) users) beside \(r.scenario.file) simulated over the same "
                + "\(r.scenario.days) days from \(r.scenario.startDate) (\(r.twinUsers) users, seed \(r.scenario.seed))",
            sections: sections)
    }

    /// The goodness of fit of every figure in one table.
    static func faithful(_ r: TwinResults) -> ReportSection {
        let level = Format.fixed(100 * r.confidence, 0)
        let rows = r.figures.map { f -> [String] in
            let share = f.compared == 0 ? "–" : Format.percent(Double(f.agreeing) / Double(f.compared))
            return [
                f.title, "\(f.agreeing) of \(f.compared)", share,
                f.largestDifference.map { Format.fixed(100 * $0, 2) + " pp (\(f.largestAt ?? ""))" } ?? "–",
                f.test.map { Format.pValue($0.pValue) } ?? "–",
                f.test.map { "\(Format.fixed($0.statistic, 2)) (\($0.degreesOfFreedom))" } ?? "–",
                f.test?.name ?? "none",
            ]
        }
        return ReportSection(
            id: "faithful", title: "Where the twin is faithful",
            blocks: [
                .paragraph(
                    "Each figure is measured on the real log and on the twin the same way, by one observer of their days. "
                        + "The twin's log is \(r.twinLog). Every point has a \(level) % interval on each side and one "
                        + "for the difference real − twin, computed for independent samples (the twin's users are "
                        + "simulated, not the log's). The unit of every interval and test is the account: its users "
                        + "sign up together and share a persona, so they are not independent draws. A point agrees "
                        + "when the interval of its difference covers 0; points where both sides are at 0 % or at "
                        + "100 % are not counted."),
                .paragraph(
                    "A faithful twin has about \(level) % of the points of a figure in agreement and no small p-value. "
                        + "The points of one figure share their users (the same users week after week), so their "
                        + "count strays further from \(level) % than independent points would, and a large log "
                        + "detects differences too small to matter: read the largest difference beside the count."),
                .table(
                    ReportTable(
                        header: [
                            "figure", "points agreeing", "share", "largest |real − twin| (where)", "p", "χ² (df)",
                            "test",
                        ],
                        rows: rows, numericFrom: 1
                    ).withTextColumn(6)),
                .paragraph(
                    "Median days from sign-up to churn: " + medians(r.medianDaysToChurn) + ". To value (activation): "
                        + medians(r.medianDaysToValue) + "."),
            ])
    }

    static func medians(_ m: TwinResults.Medians) -> String {
        func one(_ x: TwinMedian) -> String {
            guard let estimate = x.estimate else { return "not reached" }
            let lower = x.lower.map { Format.fixed($0, 0) } ?? "–"
            let upper = x.upper.map { Format.fixed($0, 0) } ?? "not reached"
            return "\(Format.fixed(estimate, 0)) (95 % \(lower) to \(upper))"
        }
        return "real \(one(m.real)), twin \(one(m.twin))"
    }

    /// One figure: its definition, a chart, its test and its points.
    static func section(_ f: TwinFigure, _ r: TwinResults) -> ReportSection {
        var blocks: [ReportBlock] = [.paragraph(f.definition)]
        if let chart = chart(f) { blocks.append(.figure(chart)) }
        var summary = "\(f.agreeing) of \(f.compared) points agree"
        if let largest = f.largestDifference, let at = f.largestAt {
            summary += "; the largest difference is \(Format.fixed(100 * largest, 2)) pp (\(at))"
        }
        if let t = f.test {
            summary +=
                ". \(t.name): χ² = \(Format.fixed(t.statistic, 2)) on \(t.degreesOfFreedom) df, p "
                + (t.pValue < 0.0001 ? "< 0.0001" : "= " + Format.fixed(t.pValue, 4))
        }
        if let note = f.testNote { summary += ". " + note }
        blocks.append(.paragraph(summary.hasSuffix(".") ? summary : summary + "."))
        let limit = 40
        let shown: [TwinPoint]
        if f.points.count > limit {
            let disagreeing = f.points.filter { $0.agrees == false }
            shown = Array(disagreeing.sorted { abs($0.difference) > abs($1.difference) }.prefix(limit))
            blocks.append(
                .paragraph(
                    disagreeing.isEmpty
                        ? "Every point with an interval agrees; all \(f.points.count) are in `twin.json`."
                        : (shown.count == disagreeing.count
                            ? (shown.count == 1
                                ? "The one point that disagrees" : "The \(shown.count) points that disagree")
                            : "The \(shown.count) points that disagree most, of \(disagreeing.count) that disagree")
                            + "; all \(f.points.count) are in `twin.json`."))
        } else {
            shown = f.points
        }
        if !shown.isEmpty { blocks.append(.table(pointTable(shown))) }
        return ReportSection(id: f.id, title: f.title, blocks: blocks)
    }

    static func pointTable(_ points: [TwinPoint]) -> ReportTable {
        func estimate(_ e: TwinEstimate) -> String {
            var text = Format.percent(e.value)
            if let lower = e.lower, let upper = e.upper { text += " (\(Format.interval(lower, upper)))" }
            return text
        }
        let places = points.contains { !$0.at.isEmpty }
        return ReportTable(
            header: (places ? ["series", "at"] : ["series"]) + [
                "real (95 %)", "twin (95 %)", "real − twin (95 %)", "agrees",
            ],
            rows: points.map { p in
                var difference = Format.signedPoints(p.difference)
                if let lower = p.differenceLower, let upper = p.differenceUpper {
                    difference += " (\(Format.signedPoints(lower)) to \(Format.signedPoints(upper)))"
                }
                let agrees = p.agrees.map { $0 ? "yes" : "no" } ?? "–"
                return (places ? [p.series, p.at] : [p.series]) + [
                    estimate(p.real), estimate(p.twin), difference, agrees,
                ]
            }, numericFrom: places ? 2 : 1)
    }

    /// The figure's chart: curves from sign-up with their bands, lines over time real (solid) and twin (dashed), or
    /// the differences with their intervals.
    static func chart(_ f: TwinFigure) -> ReportFigure? {
        switch f.id {
        case "retention", "time-to-value":
            var chart = LineChart(
                id: f.id, title: f.title, xTitle: "days since sign-up", yTitle: f.points.first?.series ?? "",
                series: [("real log", \TwinPoint.real), ("twin", \TwinPoint.twin)].map { name, side in
                    LineChart.Series(
                        name: name, points: f.points.map { (x: Double($0.day ?? 0), y: $0[keyPath: side].value) },
                        band: f.points.map {
                            let e = $0[keyPath: side]
                            return (lower: e.lower ?? e.value, upper: e.upper ?? e.value)
                        })
                })
            chart.markers = true
            chart.yPercent = true
            return ReportFigure(
                name: f.id,
                caption: "Kaplan–Meier estimates at the days of the table, with their 95 % pointwise intervals.",
                svg: chart.svg())
        case "segment-sizes", "active-users":
            let series = f.points.reduce(into: [String]()) { if !$0.contains($1.series) { $0.append($1.series) } }
            var chart = PairedLineChart(
                id: f.id, title: f.title, xTitle: "day", yTitle: "share of users signed up",
                pairs: series.map { name in
                    let points = f.points.filter { $0.series == name }
                    return PairedLineChart.Pair(
                        name: name, first: points.map { (x: Double($0.day ?? 0), y: $0.real.value) },
                        second: points.map { (x: Double($0.day ?? 0), y: $0.twin.value) })
                })
            chart.firstName = "real log"
            chart.secondName = "twin"
            return ReportFigure(
                name: f.id, caption: "Real log solid, twin dashed; the intervals are in the tables and twin.json.",
                svg: chart.svg())
        default:
            let rows = f.points.filter { $0.agrees != nil }.map {
                IntervalChart.Row(
                    label: $0.series, estimate: 100 * $0.difference, lower: $0.differenceLower.map { 100 * $0 },
                    upper: $0.differenceUpper.map { 100 * $0 })
            }
            guard !rows.isEmpty else { return nil }
            return ReportFigure(
                name: f.id, caption: "Real − twin in percentage points with 95 % intervals; 0 is a perfect twin.",
                svg: IntervalChart(
                    id: f.id, title: "\(f.title): real − twin", xTitle: "difference (percentage points)", rows: rows
                ).svg())
        }
    }

    static func definitions(_ r: TwinResults) -> ReportSection {
        ReportSection(
            id: "definitions", title: "Definitions",
            blocks: [
                .table(
                    ReportTable(
                        header: ["term", "meaning"],
                        rows: [
                            [
                                "twin",
                                "\(r.scenario.file) (\(r.scenario.name)): \(r.scenario.users) users signing up "
                                    + "over the first \(r.scenario.signupDays) days, seed \(r.scenario.seed)",
                            ],
                            ["twin's log", r.twinLog],
                            ["active", r.activeDefinition],
                            ["churn", r.churnDefinition],
                            ["activation", r.activationDefinition],
                            [
                                "intervals",
                                "\(Format.fixed(100 * r.confidence, 0)) %; a difference's for independent samples",
                            ],
                        ], numericFrom: 2)),
                .paragraph(
                    "Read \(r.import.linesRead) lines of the log, \(r.import.eventsUsed) events used, "
                        + "\(r.import.users) users in \(r.import.accounts) accounts from \(r.import.startDate ?? "–") to "
                        + "\(r.import.endDate ?? "–")."),
            ])
    }
}

extension ReportTable {
    /// The table with column `c` set as text, left-aligned.
    fileprivate func withTextColumn(_ c: Int) -> ReportTable {
        var table = self
        table.numeric[c] = false
        return table
    }
}
