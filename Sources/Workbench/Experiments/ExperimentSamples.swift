import Analysis
import Simulation

extension InterventionSpec {
    /// Each metric's name in the results and whether it is a proportion: those of
    /// ``ExperimentMetric/allCases`` in order, then each adoption metric.
    var metricNames: [(String, Bool)] {
        ExperimentMetric.allCases.map { m in
            (m == .retention ? "retention_day_\(outcomeDays)" : m.rawValue, m != .revenuePerUser)
        } + adoption.map { ("adoption_\($0.name)", true) }
    }

    /// A user's value of each metric of ``metricNames``.
    func values(_ e: ExperimentEntry) -> [Double] {
        ComparisonSamples.values(e) + adoption.map { e.featuresAtOutcome & (1 << UInt32($0.feature)) != 0 ? 1 : 0 }
    }
}

extension ComparisonSamples {

    /// Revenue accrues a fraction of a cent a day; what a user paid is counted in whole cents, so equal
    /// amounts are equal (not a rounding error apart, which would make a winsorizing cap look effective).
    static func money(_ cents: Double) -> Double { cents.rounded() / 100 }

    static func values(_ e: ExperimentEntry) -> [Double] {
        ExperimentMetric.allCases.map { m in
            switch m {
            case .retention: e.retained ? 1 : 0
            case .activation: e.activated ? 1 : 0
            case .trialConversion: e.converted ? 1 : 0
            case .expansion: e.upgraded ? 1 : 0
            case .revenuePerUser: money(e.revenueCents)
            }
        }
    }

    /// The ratio metrics: sessions per active user (users with a session in the outcome window) and revenue per
    /// paying user (users with revenue in it), each user's numerator and denominator.
    static let ratioNames = ["sessions_per_active_user", "revenue_per_paying_user"]

    static func ratioValues(_ e: ExperimentEntry) -> [(Double, Double)] {
        [(Double(e.sessions), e.sessions > 0 ? 1 : 0), (money(e.revenueCents), money(e.revenueCents) > 0 ? 1 : 0)]
    }

    /// The pre-period covariates of ``historyNames``, or `nil` for a user indexed on their sign-up day.
    static func history(_ e: ExperimentEntry) -> [Double]? {
        guard e.tenureAtIndex > 0 else { return nil }
        let tenure = Double(e.tenureAtIndex)
        return [Double(e.activeDaysBefore), Double(e.sessionsAtIndex) / (tenure + 1), money(e.revenueAtIndex), tenure]
    }

    /// A comparison's samples from its indexed users in order. A user the counterfactual run did
    /// not re-simulate lived the same days in both runs and is their own twin; control users count
    /// in `controlDifference` only when re-simulated, since only then is the difference measured
    /// rather than known.
    init(_ pairs: [ExperimentPieces.Pair], spec: InterventionSpec) throws {
        let outcomeDays = spec.outcomeDays
        self.init(metrics: spec.metricNames.map { Metric(name: $0.0, isProportion: $0.1) })
        ratios = Self.ratioNames.map(Ratio.init)
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
            let y = spec.values(entry)
            let yTwin = spec.values(twin)
            for m in metrics.indices {
                if isTreatment {
                    metrics[m].treatment.append(y[m])
                    metrics[m].trueDifference.append(y[m] - yTwin[m])
                } else {
                    metrics[m].control.append(y[m])
                    if pair.twin != nil { metrics[m].controlDifference.append(y[m] - yTwin[m]) }
                }
            }
            let r = Self.ratioValues(entry)
            let rTwin = Self.ratioValues(twin)
            for q in ratios.indices {
                if isTreatment {
                    try ratios[q].treatment.add(numerator: r[q].0, denominator: r[q].1)
                    try ratios[q].treatmentCounterfactual.add(numerator: rTwin[q].0, denominator: rTwin[q].1)
                } else {
                    try ratios[q].control.add(numerator: r[q].0, denominator: r[q].1)
                }
            }
            if isTreatment {
                treatmentCovariate.append(Double(entry.activeDaysBefore))
                treatmentHistory.append(Self.history(entry))
                treatmentOutcomeDay.append(Int(entry.indexDay) + outcomeDays)
            } else {
                controlCovariate.append(Double(entry.activeDaysBefore))
                controlHistory.append(Self.history(entry))
                controlOutcomeDay.append(Int(entry.indexDay) + outcomeDays)
            }
        }
    }
}
