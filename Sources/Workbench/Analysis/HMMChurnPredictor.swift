import Analysis
import Fitting

/// The hidden Markov model of the users' days as a churn predictor on a log (`evaluate --hmm`): fitted by EM on
/// the fitting half's days up to the cutoff, it scores each user by the chance of no key action in the horizon
/// forecast from their filtered state on the cutoff day (``HMMInference/probabilityOfNoKeyAction(horizon:threads:)``),
/// a model-based predictor whose score no window feature expresses.
enum HMMChurnPredictor {
    static let name = "hidden Markov model (filtered state)"
    /// The model's size: the default of a fit's smallest interesting model, fixed so evaluate stays fast.
    static let liveStates = 3
    static let personas = 2

    /// `data` holds the days up to the cutoff of the import's users `users` (in that order).
    static func predictor(data: UserDaySequences, users: [Int], horizon: Int, threads: Int)
        -> ChurnPrediction.ModelBased
    {
        ChurnPrediction.ModelBased(name: name) { fitting in
            var row = [Int: Int]()
            for (i, u) in users.enumerated() { row[u] = i }
            let rows = fitting.compactMap { row[$0] }
            let fit = try HMMFitter.fit(
                data.selecting(users: rows),
                options: FitOptions(liveStates: liveStates, personas: personas, threads: threads))
            let forecast = try HMMInference(model: fit.model, data: data).probabilityOfNoKeyAction(
                horizon: horizon, threads: threads)
            // A user the log shows no day of before the cutoff (signed up before the first day read), or whom the
            // model cannot produce, gets the fitting half's mean forecast.
            let known = rows.map { forecast[$0] }.filter { !$0.isNaN }
            let fallback = known.isEmpty ? 0.5 : known.reduce(0, +) / Double(known.count)
            var parameters: [String: Double] = [:]
            for (s, e) in fit.model.emissions.enumerated() {
                parameters["sessions a day, state \(s + 1)"] = e.sessionMean
            }
            let summary = PredictionResults.Baseline(
                name: "hidden Markov model, \(liveStates) live states and \(personas) personas", parameters: parameters,
                logLikelihood: fit.logLikelihood, customers: rows.count, converged: fit.converged)
            return (
                summary,
                { u in
                    guard let r = row[u], !forecast[r].isNaN else { return fallback }
                    return forecast[r]
                }
            )
        }
    }
}
