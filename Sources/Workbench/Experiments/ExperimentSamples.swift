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

    /// - Parameters:
    ///   - arm: the user's arm, for telling treatment entries from control entries.
    init(
        comparison k: Int, treatmentArm: Int, treated: OutcomeRecorder, counterfactual: OutcomeRecorder,
        arm: (Int) -> Int, outcomeDays: Int
    ) {
        self.init(metrics: Self.metricNames(outcomeDays: outcomeDays).map { Metric(name: $0.0, isProportion: $0.1) })
        let twins = counterfactual.entries[k]
        for (i, entry) in treated.entries[k].enumerated() {
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
            let twin = twins[i]
            precondition(twin.user == entry.user && twin.indexDay == entry.indexDay && twin.observed)
            let y = Self.values(entry)
            let yTwin = Self.values(twin)
            for m in metrics.indices {
                if isTreatment {
                    metrics[m].treatment.append(y[m])
                    metrics[m].trueDifference.append(y[m] - yTwin[m])
                } else {
                    metrics[m].control.append(y[m])
                    metrics[m].controlDifference.append(y[m] - yTwin[m])
                }
            }
            if isTreatment {
                treatmentCovariate.append(Double(entry.activeDaysBefore))
            } else {
                controlCovariate.append(Double(entry.activeDaysBefore))
            }
        }
    }
}
