import Foundation
import Testing
import UsageModel
import Workbench

/// When `segmentlab segment` evaluates: on the `--as-of` day itself and every interval before it,
/// or (`--once`) on that day alone.
@Suite("Evaluation days of segment")
struct SegmentScheduleTests {
    /// Twelve users signing up on 2026-01-05 (a Monday) or a week later; even users use the product
    /// every day, odd users every third day, until 2026-02-10.
    static func log() -> String {
        let start = CivilDate(iso: "2026-01-05")!
        var rows = ["user_id,account_id,event,timestamp,properties"]
        for u in 0..<12 {
            let signup = u < 6 ? 0 : 7
            rows.append("u\(u),a\(u % 3),signed_up,\(start.adding(days: signup))T08:00:00Z,{}")
            for day in stride(from: signup, through: 36, by: u % 2 == 0 ? 1 : 3) {
                rows.append("u\(u),a\(u % 3),session_started,\(start.adding(days: day))T09:00:00Z,{}")
                rows.append("u\(u),a\(u % 3),key_action,\(start.adding(days: day))T09:05:00Z,{}")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// `date → user → segment` from memberships.csv.
    static func memberships(_ folder: String) throws -> [String: [String: String]] {
        let text = try String(contentsOfFile: folder + "/memberships.csv", encoding: .utf8)
        var result: [String: [String: String]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            result[fields[2], default: [:]][fields[0]] = fields[3]
        }
        return result
    }

    @Test("--as-of a Wednesday evaluates on that Wednesday and weekly before it; --once on it alone, identically")
    func asOfAndOnce() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("log.csv")
        try Self.log().write(to: log, atomically: true, encoding: .utf8)
        let asOf = CivilDate(iso: "2026-01-28")!
        func segment(once: Bool) throws -> [String: [String: String]] {
            let out = folder.appendingPathComponent(once ? "once" : "weekly").path
            _ = try Workbench.segment(
                SegmentOptions(
                    events: [log.path], taxonomy: Repository.path("scenarios/example-taxonomy.yaml"), asOf: asOf,
                    once: once, outDirectory: out))
            return try Self.memberships(out)
        }
        let weekly = try segment(once: false)
        // Day 23 (2026-01-28) and every seventh day before it that falls in the log.
        #expect(weekly.keys.sorted() == ["2026-01-07", "2026-01-14", "2026-01-21", "2026-01-28"])
        #expect(weekly["2026-01-07"]?.count == 6, "only the first week's sign-ups")
        #expect(weekly["2026-01-28"]?.count == 12)
        let once = try segment(once: true)
        #expect(once.keys.sorted() == ["2026-01-28"])
        #expect(once == ["2026-01-28": try #require(weekly["2026-01-28"])])
    }

    @Test("without --as-of the weekly grid runs from the log's first day")
    func defaultGrid() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("log.csv")
        try Self.log().write(to: log, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out").path
        _ = try Workbench.segment(
            SegmentOptions(
                events: [log.path], taxonomy: Repository.path("scenarios/example-taxonomy.yaml"), outDirectory: out))
        // The log runs 2026-01-05 … 2026-02-10 (37 days): evaluations on days 6, 13, 20, 27 and 34.
        #expect(
            try Self.memberships(out).keys.sorted() == [
                "2026-01-11", "2026-01-18", "2026-01-25", "2026-02-01", "2026-02-08",
            ])
    }
}
