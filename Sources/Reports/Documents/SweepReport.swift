public import Foundation
public import Reporting

/// The report of a sweep (`sweep.html`, `sweep.md`): the choice within a budget, the frontier charts against
/// cost and against unsubscribes, and every setting's figures.
public enum SweepReport {
    typealias F = Format

    /// `sweep.html`, `sweep.md` and the figures the Markdown file links, each with its path in the output folder.
    public static func files(_ s: SweepResults) throws -> [(path: String, data: Data)] {
        let document = document(s)
        var files: [(path: String, data: Data)] = []
        for block in document.sections.flatMap(\.blocks) {
            if case .figure(let f) = block { files.append(("figures/\(f.name).svg", Data(f.svg.utf8))) }
        }
        files.append(("sweep.html", Data(try ReportRenderer.html(document).utf8)))
        files.append(("sweep.md", Data(try ReportRenderer.markdown(document) { "figures/\($0.name).svg" }.utf8)))
        return files
    }

    public static func document(_ s: SweepResults) -> ReportDocument {
        let settings = s.points.reduce(0) { $0 + $1.arms.count }
        let seeds =
            s.seeds.count == 1
            ? "seed \(s.seeds[0])" : "\(s.seeds.count) seeds (\(s.seeds.first!)–\(s.seeds.last!))"
        return ReportDocument(
            title: "Sweep of \(s.scenario)",
            subtitle:
                "\(s.points.count) grid points × \(max(1, settings / max(1, s.points.count))) arms, \(seeds), "
                + "\(s.users) users, \(s.days) days",
            sections: [summary(s), frontier(s), table(s), reading(s)])
    }

    // MARK: - Sections

    static func summary(_ s: SweepResults) -> ReportSection {
        var blocks: [ReportBlock] = [
            .paragraph(
                "Grid: "
                    + s.varied.map { "`\($0.path)` = " + $0.values.joined(separator: ", ") }.joined(separator: "; ")
                    + " — \(s.points.count) points, each run with every treatment arm against the control. Primary "
                    + "metric \(s.primaryMetric), \(s.outcomeDays) days after each user's first trigger.")
        ]
        if let b = s.budget {
            blocks += budgetBlocks(b, s)
        } else {
            blocks.append(.paragraph("No budget was given (`--budget`): the frontier below shows the trade-off."))
        }
        return ReportSection(id: "summary", title: "Summary", blocks: blocks)
    }

    static func budgetBlocks(_ b: SweepResults.BudgetChoice, _ s: SweepResults) -> [ReportBlock] {
        let budget = money(b.budget, s)
        guard let chosen = b.byTrue, let arm = s.arm(chosen) else {
            return [
                .paragraph(
                    "Budget \(budget): \(b.withinBudget) setting\(b.withinBudget == 1 ? "" : "s") cost\(b.withinBudget == 1 ? "s" : "") "
                        + "no more, and none of them gains any \(unit(s)) by the true figures.")
            ]
        }
        var blocks: [ReportBlock] = [
            .paragraph(
                "Budget \(budget): of the \(b.withinBudget) settings within it, the best by the true figures is "
                    + "**\(name(chosen, s))** — \(F.fixed(arm.incrementalTrue.value, 1)) incremental \(unit(s)) "
                    + "(true) for \(money(arm.cost, s)), \(perText(arm.costPerIncrementalTrue, s)) each.")
        ]
        if let measured = b.byMeasured, let m = s.arm(measured) {
            if measured == chosen {
                blocks.append(.paragraph("The measured figures would have chosen the same setting."))
            } else {
                let lost = arm.incrementalTrue.value - m.incrementalTrue.value
                blocks.append(
                    .warning(
                        "The measured figures would have chosen \(name(measured, s)) (measured "
                            + "\(F.fixed(m.incrementalMeasured.value, 1)), true \(F.fixed(m.incrementalTrue.value, 1)) "
                            + "incremental \(unit(s)), for \(money(m.cost, s))): \(F.fixed(lost, 1)) fewer by the truth."
                    ))
            }
        } else {
            blocks.append(.paragraph("By the measured figures no setting within the budget gains anything."))
        }
        return blocks
    }

    static func frontier(_ s: SweepResults) -> ReportSection {
        var blocks: [ReportBlock] = []
        for (x, title) in [("cost", "cost (\(s.currency))"), ("unsubscribes", "unsubscribes")] {
            let chart = FrontierChart(
                id: "frontier-\(x)", title: "Incremental \(unit(s)) against \(x == "cost" ? "cost" : "unsubscribes")",
                xTitle: title, yTitle: "incremental \(unit(s))",
                series: ["measured", "true"].map { figures in series(s, x: x, figures: figures) })
            blocks.append(
                .figure(
                    ReportFigure(
                        name: "frontier-\(x)",
                        caption:
                            "Each setting (grid point and arm) at its \(x == "cost" ? "campaign cost" : "unsubscribes"): "
                            + "incremental \(unit(s)) measured (dots) and true (diamonds), with 95 % intervals; "
                            + "ringed and joined, the settings no other beats (less spent, more gained).",
                        svg: chart.svg())))
        }
        return ReportSection(id: "frontier", title: "Frontier", blocks: blocks)
    }

    static func series(_ s: SweepResults, x: String, figures: String) -> FrontierChart.Series {
        let settings = s.points.flatMap { p in p.arms.map { (p.index, $0) } }
        let marks = settings.map { index, a in
            let y = figures == "true" ? a.incrementalTrue : a.incrementalMeasured
            return FrontierChart.Mark(
                label: "#\(index) \(a.arm)", name: name(SweepResults.SettingRef(point: index, arm: a.arm), s),
                x: x == "cost" ? a.cost : a.unsubscribes, y: y.value, lower: y.lower, upper: y.upper)
        }
        let frontier = s.frontiers.first { $0.x == x && $0.figures == figures }?.settings ?? []
        let indices = frontier.compactMap { ref in settings.firstIndex { $0.0 == ref.point && $0.1.arm == ref.arm } }
        return FrontierChart.Series(name: figures, marks: marks, frontier: indices, hollow: figures == "true")
    }

    static func table(_ s: SweepResults) -> ReportSection {
        let replicated = s.seeds.count > 1
        let proportion = s.metricKind == "proportion"
        func lift(_ e: SweepResults.Estimate?) -> String {
            guard let e else { return "–" }
            let v = { (x: Double) in proportion ? signedPoints(x) : F.fixed(x, 3) }
            return v(e.value) + interval(e, v)
        }
        func users(_ e: SweepResults.Estimate) -> String { F.fixed(e.value, 1) + interval(e) { F.fixed($0, 1) } }
        func mark(_ ref: SweepResults.SettingRef) -> String {
            let on = s.frontiers.filter { $0.x == "cost" && $0.settings.contains(ref) }.map(\.figures)
            var text = on.joined(separator: ", ")
            if s.budget?.byTrue == ref { text += (text.isEmpty ? "" : "; ") + "budget choice" }
            return text.isEmpty ? "–" : text
        }
        var header = ["#", "settings", "arm", "measured lift (95 %)"]
        if replicated { header.append("mean over seeds (95 %)") }
        header += [
            "true effect (95 %)", "treated users", "incremental, measured", "incremental, true", "cost", "sends",
            "unsubscribes", "cost per incremental (true)", "cost per incremental (measured)", "cost frontier",
        ]
        let rows = s.points.flatMap { p in
            p.arms.map { a in
                let ref = SweepResults.SettingRef(point: p.index, arm: a.arm)
                var row = [String(p.index), settingsText(p.settings, s), a.arm, lift(a.measured)]
                if replicated { row.append(lift(a.measuredOverReplicates)) }
                row += [
                    lift(a.trueEffect), F.fixed(a.treatedIndexed, replicated ? 1 : 0), users(a.incrementalMeasured),
                    users(a.incrementalTrue), F.fixed(a.cost, 2), F.fixed(a.sends, replicated ? 1 : 0),
                    F.fixed(a.unsubscribes, replicated ? 1 : 0), a.costPerIncrementalTrue.map { F.fixed($0, 2) } ?? "–",
                    a.costPerIncrementalMeasured.map { F.fixed($0, 2) } ?? "–", mark(ref),
                ]
                return row
            }
        }
        return ReportSection(
            id: "settings", title: "Settings",
            blocks: [
                .table(
                    ReportTable(
                        caption:
                            "Every grid point and treatment arm against \(s.points.first?.arms.first?.control ?? "the control"); "
                            + "costs in \(s.currency)",
                        header: header, rows: rows, numericFrom: 3))
            ])
    }

    static func reading(_ s: SweepResults) -> ReportSection {
        var blocks: [ReportBlock] = [
            .paragraph(
                "Measured lift: the primary metric's difference between the arm and the control in the first seed's "
                    + "run, with its 95 % interval from that run. True effect: the mean over the arm's treated users of "
                    + "their outcome minus their outcome in the counterfactual run (same users, no campaign), known only "
                    + "to a simulator."),
            .paragraph(
                "Incremental \(unit(s)): the effect times the arm's treated users (every user indexed, observed for the "
                    + "whole outcome window or not). Cost, sends and unsubscribes add up the arm's policies. Cost per "
                    + "incremental \(s.metricKind == "proportion" ? "user" : "unit") is the cost over the incremental "
                    + "figure, left out when nothing was gained."),
        ]
        if s.seeds.count > 1 {
            blocks.append(
                .paragraph(
                    "With \(s.seeds.count) seeds the true effect, the incremental figures, the cost, sends and "
                        + "unsubscribes are means over the seeds, their intervals Student t intervals across the "
                        + "seeds (what another run of the campaign would give); the frontiers and the budget choice use "
                        + "those means."))
        } else {
            blocks.append(
                .paragraph(
                    "With one seed the true effect's interval is the Student t interval of the treated users' "
                        + "differences: how much the effect depends on which users happened to be treated. Run "
                        + "several seeds (`--replicates`) to see how the measured figures vary from run to run."))
        }
        return ReportSection(id: "reading", title: "How to read the figures", blocks: blocks)
    }

    // MARK: - Text

    /// `retained users` for the retention metric, else what the primary metric adds up.
    static func unit(_ s: SweepResults) -> String {
        if s.primaryMetric.hasPrefix("retention") { return "retained users" }
        return s.metricKind == "proportion" ? "users (\(s.primaryMetric))" : s.primaryMetric
    }

    static func name(_ ref: SweepResults.SettingRef, _ s: SweepResults) -> String {
        let settings = s.points.first { $0.index == ref.point }?.settings ?? []
        return "#\(ref.point) \(ref.arm) (\(settingsText(settings, s)))"
    }

    /// Each setting as `key=value`, the key the shortest end of its path that tells the varied paths apart.
    static func settingsText(_ settings: [SweepResults.Setting], _ s: SweepResults) -> String {
        let paths = s.varied.map { $0.path.split(separator: ".").map(String.init) }
        return settings.map { setting in
            let keys = setting.path.split(separator: ".").map(String.init)
            var n = 1
            while n < keys.count,
                paths.contains(where: { $0 != keys && $0.suffix(n) == keys.suffix(n) })
            {
                n += 1
            }
            return keys.suffix(n).joined(separator: ".") + "=" + setting.value
        }.joined(separator: ", ")
    }

    static func money(_ x: Double, _ s: SweepResults) -> String { F.fixed(x, 2) + " " + s.currency }

    static func perText(_ x: Double?, _ s: SweepResults) -> String { x.map { money($0, s) } ?? "–" }

    static func signedPoints(_ x: Double) -> String { (x > 0 ? "+" : "") + F.fixed(100 * x, 2) + " pp" }

    static func interval(_ e: SweepResults.Estimate, _ f: (Double) -> String) -> String {
        guard let lo = e.lower, let hi = e.upper else { return "" }
        return " (\(f(lo)) to \(f(hi)))"
    }
}
