import Analysis
import EventImport
import Foundation
import Reports
import Testing
import UsageModel
import Workbench

@Suite("segmentlab evaluate on a purchase log")
struct EvaluateTests {
    /// A retailer's transaction history, one row per order, starting on Monday 2026-01-05 (day 0).
    /// Each group buys on every other day over a span of days:
    /// - 40 loyal customers: days 0–120;
    /// - 30 lapsing customers: days 0–40, then never again;
    /// - 30 returning customers: days 0–40 and again 60–120;
    /// - 20 gone customers: days 0–20;
    /// - 10 late customers: days 70–120 (they sign up after the cutoff).
    static let groups: [(prefix: String, count: Int, spans: [ClosedRange<Int>])] = [
        ("loyal", 40, [0...120]), ("lapsing", 30, [0...40]), ("returning", 30, [0...40, 60...120]),
        ("gone", 20, [0...20]), ("late", 10, [70...120]),
    ]

    static func purchaseLog() -> String {
        var rows = ["user_id,event,timestamp,properties"]
        let start = CivilDate(iso: "2026-01-05")!
        for group in groups {
            for i in 0..<group.count {
                for span in group.spans {
                    for day in stride(from: span.lowerBound, through: span.upperBound, by: 2) {
                        // Times vary; only the day of each purchase matters. Every order is worth 9.99.
                        rows.append(
                            "\(group.prefix)-\(i),purchase,\(start.adding(days: day))T\(10 + i % 9):15:00Z,"
                                + #""{""amount"": 9.99}""#)
                    }
                }
            }
        }
        // The log need not be sorted: newest first.
        return ([rows[0]] + rows.dropFirst().reversed()).joined(separator: "\n") + "\n"
    }

    /// Cutoff Sunday 2026-03-01 (day 55), horizon 28 days (days 56–83). Worked out by hand from the
    /// default segments of docs/segments.md, weekly evaluations on days 6, 13, …, 55 (Sundays):
    /// - days 6 and 13: everyone signed up is newly activated (no milestones: activated at sign-up);
    /// - from day 20 everyone is habitual (at least 8 active days in 28) until they stop buying;
    /// - gone customers (last purchase day 20) are dormant on days 34, 41, 48 (14 or more days without
    ///   a purchase) and churned on day 55 (35 days without a session);
    /// - lapsing and returning customers (last purchase day 40) are habitual on day 48 and dormant on day 55;
    /// - late customers have not signed up by the cutoff.
    /// In the horizon, loyal and returning customers buy again; lapsing and gone ones do not.
    @Test("transitions, churn prediction and outcomes by segment match the hand-worked answer")
    func purchaseLogEvaluation() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("purchases.csv")
        try Self.purchaseLog().write(to: log, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("evaluation").path
        let outcome = try Workbench.evaluate(
            EvaluateOptions(
                log: SegmentOptions(
                    events: [log.path], taxonomy: Repository.path("scenarios/example-purchase-taxonomy.yaml"),
                    threads: 2, outDirectory: out),
                cutoff: CivilDate(iso: "2026-03-01")!, horizon: 28, exclude: ["churned"]))
        #expect(outcome.summary.skippedTotal == 0)
        #expect(outcome.summary.users == 130)

        guard case .evaluate(let results) = try Repository.results(in: out) else {
            Issue.record("results.json of evaluate decodes as another command's")
            return
        }
        #expect(results.cutoff == "2026-03-01")
        #expect(results.horizonDays == 28)

        // Transitions between the 8 evaluations up to the cutoff: 7 pairs × 120 signed-up users.
        let labels = results.transitions.overall.labels
        let counts = results.transitions.overall.counts
        func count(_ from: String, _ to: String) -> Int? {
            guard let i = labels.firstIndex(of: from), let j = labels.firstIndex(of: to) else { return nil }
            return counts[i][j]
        }
        #expect(counts.joined().reduce(0, +) == 840)
        #expect(count("newly_activated", "newly_activated") == 120)
        #expect(count("newly_activated", "habitual") == 120)
        // 120 (days 20→27) + 100 (27→34, 34→41 and 41→48 each) + 40 loyal (48→55).
        #expect(count("habitual", "habitual") == 460)
        #expect(count("habitual", "dormant") == 80)
        #expect(count("dormant", "dormant") == 40)
        #expect(count("dormant", "churned") == 20)

        // Outcomes by segment on the cutoff day.
        let outcomes = results.segmentOutcomes
        #expect(outcomes["habitual"]?.users == 40)
        #expect(outcomes["habitual"]?.retained == 40)
        #expect(outcomes["dormant"]?.users == 60)
        #expect(outcomes["dormant"]?.retained == 30)
        #expect(outcomes["churned"]?.users == 20)
        #expect(outcomes["churned"]?.retained == 0)
        #expect(Set(outcomes.keys) == ["habitual", "dormant", "churned"])

        // Churn prediction over the 100 signed-up users not in the churned segment (excluded on request,
        // and the results say so), half scored.
        #expect(results.churnPrediction.scored == "every user signed up by the cutoff, except those in churned on it")
        let cutoff = try #require(results.churnPrediction.cutoffs.first)
        #expect(cutoff.users == 100)
        let csv = try String(contentsOfFile: out + "/predictions.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        #expect(rows.count == cutoff.testUsers)
        var loyal = 0
        var returning = 0
        var lapsing = 0
        for row in rows {
            let user = String(row[0])
            let group = user.split(separator: "-")[0]
            // Churned: no purchase in the horizon, which is exactly the lapsing customers here.
            #expect(row[6] == (group == "lapsing" ? "1" : "0"), "\(user)")
            // The rule flags the dormant segment: lapsing and returning customers.
            #expect(row[2] == (group == "loyal" ? "0.0" : "1.0"), "\(user)")
            #expect(row[5] == "", "no oracle on a log")
            switch group {
            case "loyal": loyal += 1
            case "returning": returning += 1
            case "lapsing": lapsing += 1
            default: Issue.record("\(user) should not be scored")
            }
        }
        #expect(loyal > 0 && returning > 0 && lapsing > 0)
        // Lapsing and returning customers look the same before the cutoff, so neither predictor can
        // rank one above the other. Every churner outranks every loyal customer and ties every returning
        // one: AUC = (loyal + returning / 2) / (loyal + returning) (Mann-Whitney with ties counted half).
        let expectedAUC = (Double(loyal) + Double(returning) / 2) / Double(loyal + returning)
        // The rule, the logistic model, and the buy-till-you-die baselines fitted on the fitting half.
        #expect(
            cutoff.predictors.map(\.name) == [
                "rule: declining or dormant", "logistic regression", "gradient-boosted trees", "BG/NBD", "Pareto/NBD",
            ])
        #expect(cutoff.baselines.map(\.name) == ["BG/NBD", "Pareto/NBD"])
        // The taxonomy's revenue rule gives the money features; the amount per day, 9.99 for everyone,
        // is constant and left out.
        #expect(results.churnPrediction.features.suffix(2) == ["log_revenue_to_date", "log_revenue_per_day"])
        #expect(cutoff.model.droppedFeatures.contains("log_revenue_per_day"))
        for predictor in cutoff.predictors.prefix(2) {
            let auc = try #require(predictor.rocAuc)
            #expect(abs(auc - expectedAUC) < 1e-9, "\(predictor.name)")
        }
        // The boosted trees need 50 users a leaf: the fitting half (about 50 users) allows no split, so
        // they give every user the fitting half's log-odds, one score for all (AUC one half).
        let trees = try #require(cutoff.boostedTrees)
        #expect(trees.leaves == trees.trees)
        #expect(cutoff.predictors[2].rocAuc == 0.5)
    }

    /// A Tuesday cutoff (day 57) is not a weekly evaluation day of the log's calendar; evaluations
    /// are shifted onto it. On day 57 the groups sit where they did on day 55 (gone customers
    /// 37 days without a purchase, lapsing and returning ones 17), and the horizon (days 58–85)
    /// has the same buyers.
    @Test("a cutoff between weekly evaluation days becomes an evaluation day")
    func cutoffBetweenEvaluations() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("purchases.csv")
        try Self.purchaseLog().write(to: log, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("evaluation").path
        _ = try Workbench.evaluate(
            EvaluateOptions(
                log: SegmentOptions(
                    events: [log.path], taxonomy: Repository.path("scenarios/example-purchase-taxonomy.yaml"),
                    outDirectory: out),
                cutoff: CivilDate(iso: "2026-03-03")!, horizon: 28))
        guard case .evaluate(let results) = try Repository.results(in: out) else {
            Issue.record("results.json of evaluate decodes as another command's")
            return
        }
        // By default every user signed up by the cutoff is scored: the 20 gone customers too.
        #expect(results.churnPrediction.scored == "every user signed up by the cutoff")
        let cutoff = try #require(results.churnPrediction.cutoffs.first)
        #expect(cutoff.date == "2026-03-03")
        #expect(cutoff.users == 120)
        let outcomes = results.segmentOutcomes
        #expect(outcomes["habitual"]?.retained == 40)
        #expect(outcomes["dormant"]?.users == 60)
        #expect(outcomes["dormant"]?.retained == 30)
        #expect(outcomes["churned"]?.users == 20)
    }

    /// Conversion in the horizon counts trial conversions and upgrades dated after the cutoff and
    /// within the horizon, nothing else. Four users sign up on 2026-01-05 (day 0) with a trial and use
    /// the product every day to day 40; cutoff day 20, horizon 14 (days 21–34):
    /// - `early` converts on day 10 (before the cutoff): not counted;
    /// - `inside` converts on day 30: counted;
    /// - `upgrader` pays from sign-up and upgrades on day 25: counted;
    /// - `late` converts on day 35 (after the horizon): not counted.
    @Test("conversions and upgrades are counted only inside the horizon")
    func conversionsInTheHorizon() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = CivilDate(iso: "2026-01-05")!
        var rows = ["user_id,account_id,event,timestamp,properties"]
        func add(_ user: String, _ event: String, _ day: Int, _ properties: String = "{}") {
            let quoted = "\"" + properties.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            rows.append("\(user),acct-\(user),\(event),\(start.adding(days: day))T12:00:00Z,\(quoted)")
        }
        for user in ["early", "inside", "upgrader", "late"] {
            add(user, "signed_up", 0)
            if user == "upgrader" {
                add(user, "subscription_started", 0, #"{"plan":"team"}"#)
            } else {
                add(user, "trial_started", 0, #"{"plan":"team"}"#)
            }
            for day in 0...40 {
                add(user, "session_started", day)
                add(user, "key_action", day)
            }
        }
        add("early", "subscription_started", 10, #"{"plan":"team"}"#)
        add("inside", "subscription_started", 30, #"{"plan":"team"}"#)
        add("upgrader", "plan_changed", 25, #"{"plan":"business","direction":"up"}"#)
        add("late", "subscription_started", 35, #"{"plan":"team"}"#)
        let log = folder.appendingPathComponent("billing.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("evaluation").path
        let outcome = try Workbench.evaluate(
            EvaluateOptions(
                log: SegmentOptions(
                    events: [log.path], taxonomy: Repository.path("scenarios/example-taxonomy.yaml"), outDirectory: out),
                cutoff: start.adding(days: 20), horizon: 14))
        #expect(outcome.summary.skippedTotal == 0)
        guard case .evaluate(let results) = try Repository.results(in: out) else {
            Issue.record("results.json of evaluate decodes as another command's")
            return
        }
        let outcomes = results.segmentOutcomes.values
        #expect(outcomes.reduce(0) { $0 + $1.users } == 4)
        #expect(outcomes.reduce(0) { $0 + $1.retained } == 4)
        #expect(outcomes.reduce(0) { $0 + $1.converted } == 2)
        // Nobody churns, so no model can be fitted: said, not thrown.
        #expect(results.churnPrediction.cutoffs.isEmpty)
        let skipped = results.churnPrediction.skipped
        #expect(skipped.count == 1)
        #expect(skipped.first?.hasPrefix("2026-01-25: 0 of the") == true)
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(report.contains("No prediction at 2026-01-25"))
    }

    @Test("a cutoff whose horizon runs past the log's end is refused and nothing is written")
    func horizonPastTheEnd() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("purchases.csv")
        try Self.purchaseLog().write(to: log, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("evaluation").path
        let taxonomy = Repository.path("scenarios/example-purchase-taxonomy.yaml")
        // The log runs from 2026-01-05 (day 0) to 2026-05-05 (day 120).
        for (cutoff, expected) in [
            ("2026-04-08", "before the horizon after --cutoff 2026-04-08 ends on 2026-05-06"),
            ("2026-01-04", "--cutoff 2026-01-04 is before the log's first day 2026-01-05"),
        ] {
            #expect {
                try Workbench.evaluate(
                    EvaluateOptions(
                        log: SegmentOptions(events: [log.path], taxonomy: taxonomy, outDirectory: out),
                        cutoff: CivilDate(iso: cutoff)!, horizon: 28))
            } throws: { error in
                guard case RunError.badInput(let message) = error else { return false }
                return message.contains(expected)
            }
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
