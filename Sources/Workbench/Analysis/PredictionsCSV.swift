import Analysis
import UsageModel

/// `predictions.csv`: every scored user at every cutoff, `user_id,cutoff,rule,logistic,oracle,churned`.
struct PredictionsCSV {
    private(set) var text = "user_id,cutoff,rule,logistic,oracle,churned\n"

    mutating func append(_ scores: [ChurnPrediction.Score], date: CivilDate, userID: (Int) -> String) {
        func fixed(_ x: Double) -> String { DecimalText.fixed(x, 6) }
        for s in scores {
            text += CSVText.spreadsheetRow([
                userID(s.user), date.description, fixed(s.rule), fixed(s.logistic), s.oracle.map(fixed) ?? "",
                s.churned ? "1" : "0",
            ])
        }
    }
}
