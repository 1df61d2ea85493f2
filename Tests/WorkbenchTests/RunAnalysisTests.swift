import Analysis
import Foundation
import Reports
import Testing
import Workbench

@Suite("Transitions, churn prediction and validity of a simulated run")
struct RunAnalysisTests {
    /// AUC by direct pair counting (ties count one half): the Mann–Whitney definition, O(n₁·n₀).
    static func pairAUC(_ scores: [Double], _ outcomes: [Bool]) -> Double {
        let positives = zip(scores, outcomes).filter { $0.1 }.map(\.0)
        let negatives = zip(scores, outcomes).filter { !$0.1 }.map(\.0)
        var wins = 0.0
        for p in positives {
            for n in negatives { wins += p > n ? 1 : (p == n ? 0.5 : 0) }
        }
        return wins / Double(positives.count * negatives.count)
    }

    @Test("on the default scenario the logistic model beats chance and stays below the oracle")
    func defaultScenario() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Workbench.run(
            scenario, options: RunOptions(users: 6_000, days: 200, threads: 2, outDirectory: folder.path + "/run"))
        guard case .run(let results) = try Repository.results(in: outcome.directory) else {
            Issue.record("results.json of a run decodes as another command's")
            return
        }
        let analysis = results.analysis
        let cutoffs = analysis.churnPrediction.cutoffs
        #expect(cutoffs.count == 2)
        for cutoff in cutoffs {
            let auc = try cutoff.predictors.map { try #require($0.rocAuc) }
            // rule, logistic, boosted trees, oracle
            #expect(auc[1] > 0.5, "logistic AUC \(auc[1])")
            #expect(auc[2] > 0.5, "boosted trees AUC \(auc[2])")
            #expect(auc[1] < auc[3], "logistic \(auc[1]) vs oracle \(auc[3])")
            #expect(auc[2] < auc[3], "boosted trees \(auc[2]) vs oracle \(auc[3])")
            #expect(auc[0] > 0.5, "rule AUC \(auc[0])")
        }

        // The boosted trees' and the oracle's AUCs, recomputed independently from predictions.csv, match the
        // reported ones.
        let csv = try String(contentsOfFile: outcome.directory + "/predictions.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        for cutoff in cutoffs {
            let mine = rows.filter { $0[1] == cutoff.date }
            let boosted = try mine.map { try #require(Double($0[4])) }
            let oracle = try mine.map { try #require(Double($0[5])) }
            let churned = mine.map { $0[6] == "1" }
            #expect(mine.count == cutoff.testUsers)
            #expect(churned.filter { $0 }.count == cutoff.testChurned)
            #expect(cutoff.predictors.map(\.name)[2...] == ["gradient-boosted trees", "oracle (simulator truth)"])
            // predictions.csv keeps every score in full precision: the recomputation is exact but for
            // the order of summation.
            let reported = try #require(cutoff.predictors[3].rocAuc)
            #expect(abs(Self.pairAUC(oracle, churned) - reported) < 1e-12)
            let reportedBoosted = try #require(cutoff.predictors[2].rocAuc)
            #expect(abs(Self.pairAUC(boosted, churned) - reportedBoosted) < 1e-12)
        }

        // Transitions: every row of the overall table sums to its users; validity covers the segments.
        #expect(analysis.transitions.overall.counts.reduce(0) { $0 + $1.reduce(0, +) } > 0)
        #expect(analysis.segmentValidity.precision["power"] != nil)
    }
}
