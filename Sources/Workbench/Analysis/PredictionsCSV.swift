import Analysis
import UsageModel

/// `predictions.csv`: every scored user at every cutoff, `user_id,cutoff,rule,logistic,boosted_trees,oracle,churned`.
/// Scores are written in full precision: the shortest decimal that reads back as the same double, so
/// anyone can recompute every metric from the file.
struct PredictionsCSV {
    private(set) var text = "user_id,cutoff,rule,logistic,boosted_trees,oracle,churned\n"

    mutating func append(_ scores: [ChurnPrediction.Score], date: CivilDate, userID: (Int) -> String) {
        func full(_ x: Double) -> String { x.description }
        for s in scores {
            text += CSVText.spreadsheetRow([
                userID(s.user), date.description, full(s.rule), full(s.logistic), full(s.boostedTrees),
                s.oracle.map(full) ?? "",
                s.churned ? "1" : "0",
            ])
        }
    }
}
