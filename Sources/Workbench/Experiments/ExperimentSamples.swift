import Analysis
import Simulation

extension ComparisonSamples {
    static func metricNames(outcomeDays d: Int) -> [(String, Bool)] {
        [
            ("retention_day_\(d)", true), ("activation", true), ("trial_conversion", true), ("expansion", true),
            ("revenue_per_user", false),
        ]
    }

    static func values(_ e: ExperimentEntry) -> [Double] {
        [
            e.retained ? 1 : 0, e.activated ? 1 : 0, e.converted ? 1 : 0, e.upgraded ? 1 : 0, e.revenueCents / 100,
        ]
    }

    /// The counterfactual recorder holds a subsequence of the treated entries (the users it
    /// re-simulated); an entry it does not hold lived the same days in both runs and is its own twin.
    /// Control users count in `controlDifference` only when re-simulated, since only then is the
    /// difference measured rather than known.
    /// - Parameters:
    ///   - arm: the user's arm, for telling treatment entries from control entries.
    init(
        comparison k: Int, treatmentArm: Int, treated: OutcomeRecorder, counterfactual: OutcomeRecorder,
        arm: (Int) -> Int, outcomeDays: Int
    ) {
        self.init(metrics: Self.metricNames(outcomeDays: outcomeDays).map { Metric(name: $0.0, isProportion: $0.1) })
        let twins = counterfactual.entries[k]
        var next = 0
        for entry in treated.entries[k] {
            let resimulated = next < twins.count && twins[next].user == entry.user
            let twin = resimulated ? twins[next] : entry
            if resimulated { next += 1 }
            let isTreatment = arm(Int(entry.user)) == treatmentArm
            let survival = (Double(entry.survivalDays), entry.churnObserved)
            if isTreatment {
                treatmentIndexed += 1
                treatmentSurvival.append(survival)
            } else {
                controlIndexed += 1
                controlSurvival.append(survival)
            }
            guard entry.observed else { continue }
            precondition(twin.indexDay == entry.indexDay && twin.observed)
            let y = Self.values(entry)
            let yTwin = Self.values(twin)
            for m in metrics.indices {
                if isTreatment {
                    metrics[m].treatment.append(y[m])
                    metrics[m].trueDifference.append(y[m] - yTwin[m])
                } else {
                    metrics[m].control.append(y[m])
                    if resimulated { metrics[m].controlDifference.append(y[m] - yTwin[m]) }
                }
            }
            if isTreatment {
                treatmentCovariate.append(Double(entry.activeDaysBefore))
            } else {
                controlCovariate.append(Double(entry.activeDaysBefore))
            }
        }
        precondition(next == twins.count, "the counterfactual holds an entry the treated run does not")
    }
}
