import Foundation
import Simulation

/// The short `report.md` of a run: what was simulated and how the population fared.
enum MarkdownReport {
    static func render(_ r: Results, scenario: Scenario, currency: String) -> String {
        var out: [String] = []
        let s = r.summary
        out.append("# \(r.scenario.name)")
        out.append("")
        if let d = scenario.description { out.append(d.trimmingCharacters(in: .whitespacesAndNewlines)); out.append("") }
        out.append(
            "Simulated \(r.scenario.users) users in \(r.population.accounts) accounts for \(r.scenario.days) days "
                + "from \(r.scenario.startDate) (seed \(r.scenario.seed)); sign-ups spread over the first "
                + "\(r.scenario.signupDays) days.")
        out.append("")
        out.append("## Outcome")
        out.append("")
        out.append("| measure | value |")
        out.append("|---|---:|")
        out.append("| signed up | \(s.signups) |")
        out.append("| activated (all activation milestones) | \(s.activations) (\(percent(s.activationRate))) |")
        out.append("| trials converted | \(s.conversions) of \(s.conversions + s.trialExpirations) (\(percent(s.trialConversionRate))) |")
        out.append("| churned | \(s.churned) (\(percent(s.signups == 0 ? 0 : Double(s.churned) / Double(s.signups)))) |")
        out.append("| upgrades / downgrades | \(s.upgrades) / \(s.downgrades) |")
        out.append("| paying users at the end | \(s.finalPayingUsers) |")
        out.append("| MRR at the end | \(money(s.finalMrrCents, currency)) |")
        out.append("| revenue over the run | \(money(s.totalRevenueCents, currency)) |")
        out.append("| DAU/MAU, mean of the last 28 days | \(fixed(s.stickinessLast28Days, 3)) |")
        out.append("| NPS (\(s.npsResponses) responses) | \(s.nps.map { fixed($0, 1) } ?? "–") |")
        out.append("")
        out.append("## Personas")
        out.append("")
        out.append("| persona | share | users | accounts |")
        out.append("|---|---:|---:|---:|")
        for p in r.population.personas {
            out.append("| \(p.name) | \(fixed(p.share, 3)) | \(p.users) | \(p.accounts) |")
        }
        out.append("")
        out.append("## Over time")
        out.append("")
        out.append("Latent states are the simulator's truth; the segmentation engine never sees them.")
        out.append("")
        out.append("| day | date | " + r.states.joined(separator: " | ") + " | DAU | WAU | MAU | paying | MRR |")
        out.append("|---:|---|" + String(repeating: "---:|", count: r.states.count + 5))
        for day in checkpoints(days: r.days.count) {
            let d = r.days[day]
            let states = r.states.map { String(d.usersByState[$0] ?? 0) }.joined(separator: " | ")
            out.append(
                "| \(d.day) | \(d.date) | \(states) | \(d.dau) | \(d.wau) | \(d.mau) | \(d.payingUsers) | "
                    + "\(money(d.mrrCents, currency)) |")
        }
        out.append("")
        out.append("Every day's figures are in `results.json`.")
        out.append("")
        return out.joined(separator: "\n")
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
    static func fixed(_ x: Double, _ places: Int) -> String {
        guard x.isFinite else { return String(x) }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        let negative = x < 0 && scaled > 0
        let whole = Int(scaled / scale)
        var text = String(whole)
        if places > 0 {
            var frac = String(Int(scaled - Double(whole) * scale))
            while frac.count < places { frac = "0" + frac }
            text += "." + frac
        }
        return negative ? "-" + text : text
    }
}
