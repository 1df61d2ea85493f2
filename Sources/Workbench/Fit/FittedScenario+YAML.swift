import Fitting
import Foundation
import UsageModel

extension FittedScenario {
    /// The scenario as YAML: a header with the diagnostics of the fit, then every section, each number on its own line
    /// with its standard error in a comment where there is one.
    var yaml: String {
        var lines = header
        let model = model
        lines += [
            "name: \(Self.quoted(name))",
            "description: \(Self.quoted(description))",
            "seed: 42",
            "start_date: \(startDate)",
            "days: \(days)",
            "population:",
            "  users: \(users)",
            "  signup_days: \(signupDays)",
            "",
            "features: [\(features.joined(separator: ", "))]",
        ]
        if !milestones.isEmpty {
            lines.append("milestones:")
            for milestone in milestones {
                lines.append("  - name: \(milestone.name)")
                if !milestone.requires.isEmpty {
                    lines.append(
                        "    requires: [\(milestone.requires.map { milestones[$0].name }.joined(separator: ", "))]")
                }
            }
        }
        lines += [
            "",
            "# Emissions are shared by the personas (milestones pooled here, per persona under personas); states are",
            "# ordered by session mean"
                + (model.habit == nil
                    ? "." : "; level, which habit feedback reads, is their order when habit was added."),
            "states:",
        ]
        let states = stateNames
        for (s, emission) in model.emissions.enumerated() {
            let place = "emissions[\(s)]"
            lines += [
                "  - name: \(states[s])",
                "    level: \(model.habit?.stateLevels[s] ?? s + 1)",
                "    sessions:",
                "      distribution: negative_binomial",
                // Within the format's bounds: a mean in (0, 1000] (a state without any session gets the smallest
                // one written), at most 1000 key actions per session (a log of bots could have more).
                "      mean: \(Self.number(min(max(emission.sessionMean, 1e-6), 1000)))"
                    + error("\(place).sessionMean"),
                dispersionLine(emission, place: place),
                "    key_actions_per_session: \(Self.number(min(emission.keyActionsPerSession, 1000)))"
                    + error("\(place).keyActionsPerSession"),
            ]
            if !features.isEmpty {
                lines.append("    features:")
                for (f, p) in emission.featureProbabilities.enumerated() {
                    lines.append(
                        "      \(features[f]): \(Self.number(p))" + error("\(place).featureProbabilities[\(f)]"))
                }
            }
            if !milestones.isEmpty {
                lines.append("    milestones:")
                for milestone in milestones {
                    lines.append(
                        "      \(milestone.name): \(Self.number(milestone.hazards[s] ?? 0))  # "
                            + Self.basis(milestone.daysAtRisk[s], "active days at risk"))
                }
            }
            if let nps, let answer = nps.rate(kind: 0, state: s), nps.weight(kind: 1, state: s) > 0 {
                let scores = (0...10).map { nps.rate(kind: 1 + $0, state: s) ?? 0 }
                lines += [
                    "    nps:",
                    "      answer_probability: \(Self.number(answer))  # "
                        + Self.basis(nps.weight(kind: 1, state: s), "answers"),
                    "      scores: [\(Self.apportioned(scores).joined(separator: ", "))]",
                ]
            }
        }
        lines += ["  - name: churned", "    absorbing: true", "", "personas:"]
        for part in personas {
            lines += personaLines(part, states: states)
        }
        if weekday != nil || model.habit != nil || !model.releases.isEmpty { lines += ["", "modifiers:"] }
        if let habit = model.habit {
            let se = error("habit.strength").replacingOccurrences(of: "  # SE", with: "  # strength SE")
            lines.append(
                "  habit: {half_life_days: \(Self.number(habit.halfLifeDays)), strength: \(Self.number(habit.strength))}"
                    + (se.isEmpty ? "  # " : se + "; ") + "half-life by held-out likelihood (header)")
        }
        if let weekday {
            let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            lines += ["  weekday:"]
            for w in 0..<7 {
                lines.append(
                    "    - \(Self.number(weekday.factors[w]))  # \(days[w]), SE "
                        + Self.number(weekday.standardErrors[w], digits: 2))
            }
        }
        lines += productChangeLines()
        lines += commerceLines(states: states)
        return lines.joined(separator: "\n") + "\n"
    }

    private var description: String {
        "Fitted by segmentlab fit to \(diagnostics.files.joined(separator: ", ")): \(size), chosen by BIC."
    }

    /// `4 live states and 2 personas`.
    var size: String {
        Self.counted(model.liveStates, "live state") + " and " + Self.counted(model.personas.count, "persona")
    }

    static func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)" + (n == 1 ? "" : "s") }

    private func personaLines(_ part: Persona, states: [String]) -> [String] {
        let k = part.fitted
        let persona = model.personas[k]
        let place = "personas[\(k)]"
        let shares = Self.apportioned(personas.map(\.share), minimumUnits: 1)
        let index = personas.firstIndex { $0.name == part.name }!
        var lines = [
            "  - name: \(part.name)",
            "    share: \(shares[index])" + (part.shareNote.map { "  # \($0)" } ?? error("\(place).share")),
            "    plan: \(plans[billing[k].plan])",
            "    trial_days: \(billing[k].trialDays)",
        ]
        switch part.teamSize {
        case .alone:
            lines.append("    team_size: {distribution: fixed, size: 1}")
        case .lognormal(let size):
            lines += [
                "    team_size:  # over \(Self.number(size.count, digits: 3)) accounts, each weighted by its users' "
                    + "probability of this persona",
                "      distribution: lognormal",
                "      median: \(Self.number(min(size.median, 1_000_000)))  # SE "
                    + Self.number(size.medianStandardError, digits: 2),
                "      sigma: \(Self.number(min(size.sigma, 10)))  # SE "
                    + Self.number(size.sigmaStandardError, digits: 2),
                "      max: \(min(size.largest, 1_000_000))  # the largest account leaning to it",
            ]
        case nil: break
        }
        if model.accountSizeClasses > 1, part.band == 0 {
            let shares = persona.accountSizes.enumerated().filter { $0.element >= 0.0005 }.map { c, p in
                let sizes = AccountSizeClass.sizes(c)
                let label =
                    sizes.lowerBound == sizes.upperBound
                    ? "\(sizes.lowerBound)"
                    : sizes.upperBound == Int.max ? "\(sizes.lowerBound)+" : "\(sizes.lowerBound)-\(sizes.upperBound)"
                return "\(label): \(DecimalText.fixed(100 * p, 1)) %"
            }
            lines.append(
                "    # persona \(k + 1)'s users by account size (fitted with the persona): "
                    + shares.joined(separator: ", "))
        }
        lines.append("    initial_states:")
        for (s, p) in Self.apportioned(persona.initial).enumerated() {
            lines.append("      \(states[s]): \(p)" + error("\(place).initial[\(s)]"))
        }
        lines.append("    states:")
        let n = model.stateCount
        let group = k * bands + part.band
        for i in 0..<model.liveStates {
            lines += ["      \(states[i]):", "        next:"]
            let row = Self.apportioned(Array(persona.transitions[(i * n)..<((i + 1) * n)]))
            for (j, p) in row.enumerated() {
                lines.append(
                    "          \(j < model.liveStates ? states[j] : "churned"): \(p)"
                        + error("\(place).transitions[\(i)][\(j)]"))
            }
            if !milestones.isEmpty {
                lines.append("        milestones:")
                for milestone in milestones {
                    let hazard = milestone.personaHazards[group][i] ?? milestone.hazards[i] ?? 0
                    lines.append(
                        "          \(milestone.name): \(Self.number(hazard))  # "
                            + Self.basis(milestone.personaDaysAtRisk[group][i], "active days at risk"))
                }
            }
        }
        return lines
    }

    private func commerceLines(states: [String]) -> [String] {
        var lines = ["", "commerce:", "  plans:"]
        for (p, plan) in plans.enumerated() {
            lines.append("    - {name: \(plan), monthly_price: \(DecimalText.fixed(Double(planCents[p]) / 100, 2))}")
        }
        if let afterTrial { lines.append("  after_trial: \(plans[afterTrial])") }
        lines += planChangeLines(states: states)
        if billing.contains(where: { $0.trialDays > 0 }) {
            lines.append("  conversion:")
            for (s, estimate) in conversion.enumerated() {
                let error = estimate.map { $0.standardError.isNaN ? "" : "SE \(Self.number($0.standardError)), " } ?? ""
                lines.append(
                    "    \(states[s]): \(Self.number(estimate?.rate ?? 0))  # "
                        + error + Self.basis(conversionWeights[s], "trial ends"))
            }
        }
        return lines
    }

    /// `  # SE x` for a parameter of the model, `  # SE none (at a bound)` where the scores give none, nothing when
    /// no standard error could be computed.
    /// The dispersion within a weekday (``WeekdayFactors/withinWeekdayDispersion(mean:dispersion:)``), since the
    /// simulator applies the weekday factors on top of it; its standard error by the delta method, the derivative
    /// taken numerically (a central difference of 10⁻⁴ k).
    private func dispersionLine(_ emission: StateEmission, place: String) -> String {
        let k = emission.sessionDispersion
        guard let weekday else { return "      dispersion: \(Self.number(k))" + error("\(place).sessionDispersion") }
        let mean = emission.sessionMean
        let within = weekday.withinWeekdayDispersion(mean: mean, dispersion: k)
        var comment = "  # "
        if case .success(let errors) = standardErrors, let se = errors["\(place).sessionDispersion"] {
            let h = 1e-4 * k
            let slope =
                (weekday.withinWeekdayDispersion(mean: mean, dispersion: k + h)
                    - weekday.withinWeekdayDispersion(mean: mean, dispersion: k - h)) / (2 * h)
            let scaled = abs(slope) * se
            comment += (scaled.isNaN ? "SE none (at a bound)" : "SE " + Self.number(scaled, digits: 2)) + "; "
        }
        return "      dispersion: \(Self.number(within))" + comment
            + "within a weekday; \(Self.number(k)) over the week"
    }

    /// Each round of the release search: the strongest step against the model of that round, or that none cleared
    /// the criterion, for the header.
    private var releaseRounds: [String] {
        func rounds(_ search: ReleaseSearch) -> [String] {
            search.scans.enumerated().map { r, scan in
                guard r < search.added.count else {
                    return "#   round \(r + 1): no new step clears \(Self.number(scan.penalty)): done."
                }
                let step = search.added[r]
                return
                    "#   round \(r + 1): strongest new step on day \(step.day) (\(startDate.adding(days: step.day))), "
                    + "gain \(Self.number(step.gain)) against \(Self.number(scan.penalty)); added and refitted."
            }
        }
        let weighed = pruning.weighed.map {
            "day \($0.day) \(Self.number($0.wald, digits: 3))" + ($0.kept ? "" : " (dropped)")
        }
        return ["#   Before the sizes, with \(Self.counted(releaseProbe.liveStates, "live state")) and one persona:"]
            + rounds(releaseProbe)
            + (weighed.isEmpty
                ? []
                : [
                    "#   On the chosen model, each release's Wald statistic against factors of 1 (clustered scores; kept above "
                        + "BIC's price \(Self.number(pruning.price, digits: 3))): " + weighed.joined(separator: ", ")
                        + (pruning.fit == nil ? "." : "; refitted without those dropped.")
                ])
            + ["#   Again on the chosen model:"] + rounds(releases)
    }

    /// The releases in the model (``ProductRelease``), each with its factors over the period before and their
    /// standard errors; the session rate is not estimated (the model's states carry it) and written as 1.
    private func productChangeLines() -> [String] {
        guard !model.releases.isEmpty else { return [] }
        var lines = ["  product_changes:"]
        for (j, release) in model.releases.enumerated() {
            lines += [
                "    - day: \(release.day)  # \(startDate.adding(days: release.day))",
                "      sessions: 1",
                "      key_actions: \(Self.number(release.keyActionFactor))" + error("releases[\(j)].keyActionFactor"),
                "      features:",
            ]
            for (f, name) in features.enumerated() {
                lines.append(
                    "        \(name): \(Self.number(release.featureFactors[f]))"
                        + error("releases[\(j)].featureFactors[\(f)]"))
            }
        }
        return lines
    }

    private func error(_ parameter: String) -> String {
        guard case .success(let errors) = standardErrors, let se = errors[parameter] else { return "" }
        return se.isNaN ? "  # SE none (at a bound)" : "  # SE " + Self.number(se, digits: 2)
    }

    /// The expected count a posterior-weighted rate rests on.
    /// Every change from one plan to another that the log holds, with its daily probability in each live state
    /// (states where none happened get 0).
    private func planChangeLines(states: [String]) -> [String] {
        guard let changes = planChanges else { return [] }
        let count = plans.count
        var lines: [String] = []
        for from in 0..<count {
            for to in 0..<count where to != from {
                let kind = from * count + to
                let rates = (0..<changes.liveStates).map { changes.rate(kind: kind, state: $0) ?? 0 }
                guard rates.contains(where: { $0 > 0 }) else { continue }
                lines += ["    - from: \(plans[from])", "      to: \(plans[to])", "      daily_probability:"]
                for (s, rate) in rates.enumerated() {
                    lines.append(
                        "        \(states[s]): \(Self.number(rate))  # "
                            + Self.basis(changes.weight(kind: kind, state: s), "days on \(plans[from])"))
                }
            }
        }
        return lines.isEmpty ? [] : ["  plan_changes:"] + lines
    }

    private static func basis(_ weight: Double, _ what: String) -> String {
        weight > 0 ? "over \(number(weight, digits: 3)) expected \(what)" : "no \(what) in this state"
    }

    // MARK: - Header

    private var header: [String] {
        let d = diagnostics
        let model = model
        let best = selection.best
        let sampled = best.fit.userCount < users
        // Where the structure was chosen: all users, or the sample refitted to all at the end.
        let chosenOn = sampled ? "the \(best.fit.userCount) users" : "all users"
        var lines = [
            "# A twin of the users of an event log, fitted by `segmentlab fit` (docs/fitting.md).",
            "#",
            "# Log: \(d.files.map(Self.quoted).joined(separator: ", ")), taxonomy \(Self.quoted(d.taxonomy)); "
                + "\(startDate) to \(startDate.adding(days: days - 1)) (\(days) days).",
            "# Users fitted: \(users), each from sign-up to the last day; \(d.usersLeftOut) left out, signed up "
                + "before the first day read.",
            "# User-days observed: \(d.observedDays); active (with a session): \(d.activeDays), of which "
                + "\(d.daysWithoutSession) had key actions or features but no session and count as one session.",
            "#",
            "# Model: a hidden Markov model over user-days (live states shared by the personas, churned absorbing),",
            sampled
                ? "# negative binomial sessions, fitted by EM. Every choice below is made on \(best.fit.userCount) of the users "
                    + "(evenly spaced), and the model it leads to refitted to all at the end; the size with the lowest BIC is kept:"
                : "# negative binomial sessions, fitted by EM; the size with the lowest BIC is kept:",
            "#",
            "#   states  personas  parameters  log-likelihood             BIC  iterations",
        ]
        for c in selection.candidates {
            let chosen = c.liveStates == best.liveStates && c.personas == best.personas
            lines.append(
                "#   " + Self.padded(String(c.liveStates), 6) + Self.padded(String(c.personas), 10)
                    + Self.padded(String(c.fit.parameterCount), 12)
                    + Self.padded(DecimalText.fixed(c.fit.logLikelihood, 1), 16)
                    + Self.padded(DecimalText.fixed(c.fit.bic, 1), 16)
                    + Self.padded(String(c.fit.iterations), 12) + (c.fit.converged ? "" : " (not converged)")
                    + (chosen ? "  <- chosen" : ""))
        }
        lines += [
            "#",
            "# Chosen: \(size); log-likelihood "
                + "\(DecimalText.fixed(best.fit.logLikelihood, 1)) on \(chosenOn) "
                + "after \(best.fit.iterations) EM iterations"
                + (best.fit.converged ? " (converged)." : " (not converged)."),
        ]
        if let habit {
            let h = habit.selection
            lines += [
                "# Habit feedback (modifiers.habit): the chosen size refitted by EM to \(h.trainingUsers) of those users "
                    + "with each half-life,",
                "# then the log-likelihood of \(h.heldOutUsers) others it was not fitted to (higher is better):",
                "#",
                "#   half-life  strength  held-out log-likelihood",
            ]
            for c in h.candidates {
                let chosen = c.halfLifeDays == h.chosen.halfLifeDays
                lines.append(
                    "#   " + Self.padded(c.halfLifeDays.map { DecimalText.fixed($0, 0) + " d" } ?? "none", 9)
                        + Self.padded(c.training.model.habit.map { DecimalText.fixed($0.strength, 3) } ?? "-", 10)
                        + Self.padded(DecimalText.fixed(c.heldOutLogLikelihood, 1), 25) + (chosen ? "  <- chosen" : ""))
            }
            lines.append("#")
            if let fit = habit.fit {
                lines.append(
                    "# Kept and refitted to \(chosenOn): log-likelihood \(DecimalText.fixed(fit.logLikelihood, 1)) after "
                        + "\(fit.iterations) EM iterations\(fit.converged ? "" : " (not converged)"), BIC "
                        + "\(DecimalText.fixed(fit.bic, 1)) against \(DecimalText.fixed(best.fit.bic, 1)) without.")
            } else {
                lines.append(
                    "# Not kept: no half-life predicted the held-out users better than the model without habit.")
            }
        }
        if let split {
            let unsplit = split.unsplit
            lines += [
                "# Split by account size: each persona into its users alone in an account and its users in teams",
                "# (parts of at least 10 users), refined by EM on \(chosenOn): log-likelihood "
                    + "\(DecimalText.fixed(split.fit.logLikelihood, 1)) after \(split.fit.iterations) iterations, BIC "
                    + "\(DecimalText.fixed(split.fit.bic, 1)) against \(DecimalText.fixed(unsplit.bic, 1)) unsplit: "
                    + (split.kept
                        ? "kept, \(Self.counted(split.fit.model.personas.count, "persona"))."
                        : "not kept."),
            ]
        }
        // A size at the top of a range of several: the range may stop short of the best.
        func atTop(_ size: (ModelSelection.Candidate) -> Int) -> Bool {
            let tried = Set(selection.candidates.map(size))
            return tried.count > 1 && size(best) == tried.max()
        }
        let largest = [atTop(\.liveStates) ? "live states" : nil, atTop(\.personas) ? "personas" : nil]
            .compactMap { $0 }
        if !largest.isEmpty {
            lines.append(
                "# The most \(largest.joined(separator: " and the most ")) tried: more may fit better "
                    + "(--states, --personas).")
        }
        if sampled {
            lines.append(
                "# Refitted to all \(users) users by EM from the model chosen (releases included, below): log-likelihood "
                    + "\(DecimalText.fixed(fit.logLikelihood, 1)) after \(fit.iterations) EM iterations"
                    + "\(fit.converged ? "" : " (not converged)"), BIC \(DecimalText.fixed(fit.bic, 1)).")
        }
        switch standardErrors {
        case .success:
            lines.append(
                "# SE: standard errors of the model's numbers from the users' scores, clustered by account (the "
                    + "sandwich of the scores' outer products); a probability at 0 or 1 has none.")
        case .failure(let error):
            lines.append("# No standard errors: \(error.message.split(separator: "\n").joined(separator: "; ")).")
        }
        lines +=
            [
                "# Beside the model: weekday factors (sessions per observed user-day, SE over accounts); since the model has",
                "# no weekday, each state's session dispersion is written as the one within a weekday that, with the factors",
                "# applied, gives silent days as often as the fitted one (the fitted one beside it); each persona's",
                "# team size (lognormal over account sizes, each account weighted by its users' posterior persona), plan",
                "# and trial (its users' most common first billing event, weighted by the posterior persona), trial",
                "# conversion by state (maximum likelihood over the posterior state of the day each trial ended, SE from",
                "# the scores), milestone hazards by persona and state (weighted by the joint posterior of persona and",
                "# state of each day, pooled over the personas under states:; milestone requirements inferred from the order users",
                "# reached them in: \(d.milestonesOnSilentDays) first reached on a day without a session end the days "
                    + "at risk uncounted), NPS answers and scores by state (\(d.npsAnswers) answers on active days, weighted "
                    + "likewise; \(d.npsOnSilentDays) on days without a session left out). \(d.trialEnds) trial ends.",
                "# Plan changes after the trial: daily probability by state over the days on the plan, weighted by the",
                "# posterior probability of each live state that day (a churned user changes nothing).",
                "# Product releases (modifiers.product_changes): each round scans the log's days for the strongest step in",
                "# key actions per session and feature use against what the model expects on each active day (quasi-Poisson,",
                "# a split kept when its gain exceeds BIC's (channels + 1) log(users); periods of \(ProductReleases.shortestPeriod) days at least),",
                "# adds a release there and refits every number by EM with it. The search runs before the sizes are compared, on",
                "# two live states and one persona (a larger model would give a release states of its own), and every size is",
                "# fitted with its releases; then again on the chosen model. The states' emissions are those before the first:",
            ] + releaseRounds + [
                "# Not modelled: \(model.habit == nil ? "habit, " : "")team influence, a release's change of the session rate,",
                "# campaigns and the log's data-quality faults.",
                "",
            ]
        return lines
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    // MARK: - Numbers and text

    /// `x` with `digits` significant digits (at most 12 decimals), trailing zeros dropped.
    static func number(_ x: Double, digits: Int = 4) -> String {
        guard x.isFinite else { return "none" }
        guard x != 0 else { return "0" }
        let exponent = Int(log10(abs(x)).rounded(.down))
        return trimmed(DecimalText.fixed(x, min(12, max(0, digits - 1 - exponent))))
    }

    /// Probabilities written with six decimals that add up to exactly 1 (the format's ±1e-9 then holds however they
    /// are parsed): each rounded down, the millionths left given to the largest remainders (the first of equals);
    /// with `minimumUnits`, each gets at least that many millionths, taken from the largest.
    static func apportioned(_ probabilities: [Double], minimumUnits: Int = 0) -> [String] {
        let scale = 1_000_000
        let total = probabilities.reduce(0, +)
        let scaled = probabilities.map { $0 / total * Double(scale) }
        var units = scaled.map { Int($0.rounded(.down)) }
        let left = scale - units.reduce(0, +)
        let byRemainder = units.indices.sorted {
            (scaled[$0] - Double(units[$0]), -$0) > (scaled[$1] - Double(units[$1]), -$1)
        }
        for i in byRemainder.prefix(left) { units[i] += 1 }
        for i in units.indices where units[i] < minimumUnits {
            let largest = units.indices.max { (units[$0], -$0) < (units[$1], -$1) }!
            units[largest] -= minimumUnits - units[i]
            units[i] = minimumUnits
        }
        return units.map { u in
            let fraction = String(u % scale)
            return trimmed("\(u / scale)." + String(repeating: "0", count: 6 - fraction.count) + fraction)
        }
    }

    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = Substring(text)
        while text.last == "0" { text = text.dropLast() }
        if text.last == "." { text = text.dropLast() }
        return String(text)
    }

    /// A YAML double-quoted string (JSON's escapes, which YAML shares), safe for any name from the input, in a value
    /// or a comment: no line break or control character is written as such.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _
            where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
