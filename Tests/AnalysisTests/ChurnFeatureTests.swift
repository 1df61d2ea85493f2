import Analysis
import Testing

@Suite("Churn prediction features")
struct ChurnFeatureTests {
    /// Coefficients and standard errors are keyed by feature name, so a log's window and history features
    /// must not share a name.
    @Test func featureNamesAreDistinct() {
        let all = ChurnPrediction.featureNames + ChurnPrediction.historyFeatureNames
        #expect(Set(all).count == all.count)
        #expect(ChurnPrediction.cappedFeatureNames.isSubset(of: Set(ChurnPrediction.featureNames)))
    }
}
