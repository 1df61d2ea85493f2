import Segmentation
import Testing
import UsageModel

@Suite("The default segments")
struct DefaultSegmentTests {
    /// One crafted user per default segment, over 35 days; the fifth weekly evaluation is day 34.
    static func crafted() -> (SyntheticLog, [String]) {
        var log = SyntheticLog(users: 9, days: 35)
        let activatedOnDay0: [Int] = [3, 5, 6, 7]
        for u in activatedOnDay0 { log[u, 0].milestones = 0b11 }
        // 0 churned: last session on day 3, 31 days before day 34.
        log.active(0, on: 0...3)
        log[0, 0].milestones = 0b11
        // 1 dormant: last key action day 19 (15 days ago), sessions continue without key actions until day 30.
        log.active(1, on: 0...19)
        log[1, 0].milestones = 0b11
        for d in 20...30 { log[1, d].sessions = 1 }
        // 2 not activated: active every day, never reaches invite.
        log.active(2, on: 0..<35)
        log[2, 0].milestones = 0b01
        // 3 declining: every day from 7 to 20, then only days 22 and 30.
        log.active(3, on: Array(7...20) + [22, 30])
        // 4 newly activated: signs up on day 25, activated on day 26, active every day since.
        log.signup[4] = 25
        log.active(4, on: 25..<35)
        log[4, 26].milestones = 0b11
        // 5 power: every day, 10 key actions a day.
        log.active(5, on: 0..<35, keyActions: 10)
        // 6 habitual: every other day, one key action.
        log.active(6, on: stride(from: 0, to: 35, by: 2))
        // 7 occasional: days 0, 10, 20, 29, 33 — 4 active days of the last 28, 2 this week.
        log.active(7, on: [0, 10, 20, 29, 33])
        // 8 promoter who has not signed up by day 34 would have no segment; make it a power user with NPS 10.
        log.active(8, on: 0..<35, keyActions: 10)
        log[8, 0].milestones = 0b11
        log[8, 31].nps = 10
        let expected = [
            "churned", "dormant", "not_activated", "declining", "newly_activated", "power", "habitual",
            "occasional", "power",
        ]
        return (log, expected)
    }

    @Test("each default segment is reached by the user crafted for it")
    func everySegmentReached() throws {
        let (log, expected) = Self.crafted()
        let engine = SegmentationEngine(try CompiledSegmentation(.defaults, vocabulary: SyntheticLog.vocabulary))
        try log.replay(into: engine)
        #expect(engine.evaluations.map(\.day) == [6, 13, 20, 27, 34])
        let last = engine.evaluations.count - 1
        for (u, name) in expected.enumerated() {
            #expect(engine.segmentName(user: u, evaluation: last) == name, "user \(u)")
        }
        // Every default segment is reached by someone.
        #expect(engine.evaluations[last].sizes.allSatisfy { $0 > 0 })
        // Tags: user 8 is the only promoter.
        let promoter = engine.compiled.tagNames.firstIndex(of: "promoter")!
        #expect(engine.evaluations[last].tagCounts[promoter] == 1)
        #expect(engine.tags[8] & (1 << UInt32(promoter)) != 0)
    }

    @Test("transition counts between consecutive evaluations add up to the users")
    func transitions() throws {
        let (log, _) = Self.crafted()
        let engine = SegmentationEngine(try CompiledSegmentation(.defaults, vocabulary: SyntheticLog.vocabulary))
        try log.replay(into: engine)
        let k = engine.compiled.segmentNames.count + 2
        #expect(engine.evaluations[0].transitions == nil)
        for e in engine.evaluations.dropFirst() {
            let t = e.transitions!
            #expect(t.reduce(0, +) == log.users)
            // Column sums are this evaluation's sizes, then unmatched, then not signed up.
            let columns = (0..<k).map { c in (0..<k).reduce(0) { $0 + t[$1 * k + c] } }
            #expect(Array(columns.prefix(k - 2)) == e.sizes)
            #expect(columns[k - 1] == e.notSignedUp)
        }
        // The newly activated user signs up between day 20 and day 27 and is activated by day 27.
        let notSigned = k - 1
        let newly = engine.compiled.segmentNames.firstIndex(of: "newly_activated")!
        let t27 = engine.evaluations[3].transitions!
        #expect(t27[notSigned * k + newly] == 1)
    }

    @Test("rule errors in a spec are reported at their definition and column")
    func specErrors() {
        let spec = SegmentationSpec(
            segments: [RuleDefinition(name: "a", when: "key_action_7 > 1"), RuleDefinition(name: "b", when: "true")],
            tags: [RuleDefinition(name: "t", when: "feature.reports == sometimes")], activation: ["setup", "invited"])
        #expect {
            _ = try CompiledSegmentation(spec, vocabulary: SyntheticLog.vocabulary)
        } throws: { error in
            let problems = (error as! SegmentationSpecError).problems
            return problems.map(\.path) == ["segments[0].when", "tags[0].when", "activation[1]"]
                && problems[0].column == 1 && problems[0].message.contains("key_actions_7")
        }
    }
}
