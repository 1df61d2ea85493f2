import Foundation
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
        let data = try Data(contentsOf: URL(fileURLWithPath: outcome.directory + "/results.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let analysis = json["analysis"] as! [String: Any]
        let prediction = analysis["churn_prediction"] as! [String: Any]
        let cutoffs = prediction["cutoffs"] as! [[String: Any]]
        #expect(cutoffs.count == 2)
        for cutoff in cutoffs {
            let predictors = cutoff["predictors"] as! [[String: Any]]
            let auc = predictors.map { $0["roc_auc"] as! Double }
            // rule, logistic, oracle
            #expect(auc[1] > 0.5, "logistic AUC \(auc[1])")
            #expect(auc[1] < auc[2], "logistic \(auc[1]) vs oracle \(auc[2])")
            #expect(auc[0] > 0.5, "rule AUC \(auc[0])")
        }

        // The oracle's AUC, recomputed independently from predictions.csv, matches the reported one.
        let csv = try String(contentsOfFile: outcome.directory + "/predictions.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        for cutoff in cutoffs {
            let date = cutoff["date"] as! String
            let mine = rows.filter { $0[1] == date }
            let oracle = mine.map { Double($0[4])! }
            let churned = mine.map { $0[5] == "1" }
            #expect(mine.count == cutoff["test_users"] as! Int)
            #expect(churned.filter { $0 }.count == cutoff["test_churned"] as! Int)
            let reported = (cutoff["predictors"] as! [[String: Any]])[2]["roc_auc"] as! Double
            // predictions.csv rounds scores to 6 decimals, which can only merge near-ties.
            #expect(abs(Self.pairAUC(oracle, churned) - reported) < 1e-3)
        }

        // Transitions: every row of the overall table sums to its users; validity covers the segments.
        let transitions = analysis["transitions"] as! [String: Any]
        let overall = transitions["overall"] as! [String: Any]
        let counts = overall["counts"] as! [[Int]]
        #expect(counts.reduce(0) { $0 + $1.reduce(0, +) } > 0)
        let validity = analysis["segment_validity"] as! [String: Any]
        let precision = validity["precision"] as! [String: Double]
        #expect(precision["power"] != nil)
    }
}
