import Analysis
import EventImport
import Foundation
import Reports
import Testing
import UsageModel

@testable import Workbench

@Suite("The hidden Markov model as a churn predictor on a log")
struct HMMPredictorTests {
    @Test("evaluate --hmm scores every user with a probability, the same at 1 and 2 threads; not with --shard")
    func predictor() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try LogShardTests.log(in: folder)
        let cutoff = CivilDate(iso: "2026-02-15")!
        let outcomes = try [1, 2].map { threads in
            try Workbench.evaluate(
                EvaluateOptions(
                    log: LogShardTests.options(
                        [log], out: folder.appendingPathComponent("t\(threads)"), threads: threads),
                    cutoff: cutoff, hiddenMarkov: true))
        }
        try ShardTests.sameFiles(outcomes[0].directory, outcomes[1].directory)
        guard case .evaluate(let results) = try Repository.results(in: outcomes[0].directory),
            let at = results.churnPrediction.cutoffs.first
        else {
            Issue.record("no churn prediction")
            return
        }
        let hmm = try #require(at.predictors.first { $0.name == HMMChurnPredictor.name })
        let logistic = try #require(at.predictors.first { $0.name == "logistic regression" })
        // Scored on the same users as the other predictors, and told apart from chance: its DeLong interval
        // lies above 0.5.
        #expect((hmm.rocAucInterval?.lower ?? 0) > 0.5, "\(String(describing: hmm.rocAucInterval))")
        #expect(at.comparisons.contains { $0.first == "logistic regression" && $0.second == HMMChurnPredictor.name })
        let summary = try #require(at.baselines.first { $0.name.hasPrefix("hidden Markov model") })
        #expect(summary.failed == nil && summary.parameters.count == HMMChurnPredictor.liveStates)
        #expect((logistic.rocAucInterval?.lower ?? 0) > 0.5)

        #expect(throws: RunError.self) {
            try Workbench.evaluate(
                EvaluateOptions(
                    log: LogShardTests.options([log], out: folder.appendingPathComponent("s"), shard: "0/2"),
                    cutoff: cutoff, hiddenMarkov: true))
        }
    }
}
