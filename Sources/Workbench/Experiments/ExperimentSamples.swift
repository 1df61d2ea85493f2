import Analysis
import Simulation

extension ComparisonSamples {
    /// Each metric's name in the results and whether it is a proportion, in the order of
    /// ``ExperimentMetric/allCases``.
    static func metricNames(outcomeDays d: Int) -> [(String, Bool)] {
        ExperimentMetric.allCases.map { m in
            (m == .retention ? "retention_day_\(d)" : m.rawValue, m != .revenuePerUser)
        }
    }

    static func values(_ e: ExperimentEntry) -> [Double] {
        ExperimentMetric.allCases.map { m in
            switch m {
            case .retention: e.retained ? 1 : 0
            case .activation: e.activated ? 1 : 0
            case .trialConversion: e.converted ? 1 : 0
            case .expansion: e.upgraded ? 1 : 0
            case .revenuePerUser: e.revenueCents / 100
            }
        }
    }

    /// A comparison's samples from its indexed users in order. A user the counterfactual run did
    /// not re-simulate lived the same days in both runs and is their own twin; control users count
    /// in `controlDifference` only when re-simulated, since only then is the difference measured
    /// rather than known.
    init(_ pairs: [ExperimentPieces.Pair], outcomeDays: Int) {
        self.init(metrics: Self.metricNames(outcomeDays: outcomeDays).map { Metric(name: $0.0, isProportion: $0.1) })
        for pair in pairs {
            let entry = pair.treated
            let twin = pair.twin ?? entry
            let isTreatment = pair.inTreatmentArm
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
                    if pair.twin != nil { metrics[m].controlDifference.append(y[m] - yTwin[m]) }
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
