import Foundation
import Simulation
import Testing
import UsageModel

@Suite("Event log of a simulated run")
struct SimulatedLogTests {
    @Test("the log holds the simulated usage less the configured loss", arguments: [EventLogFormat.csv, .jsonl])
    func countsMatchUsage(format: EventLogFormat) throws {
        var spec = TestModels.small(users: 4_000, days: 30, signupDays: 10, trialDays: 14)
        let loss = 0.05
        spec.dataQuality = DataQuality(lostEvents: loss)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "segmentlab-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.\(format.rawValue)").path

        let simulator = try Simulator(spec: spec, threads: 2)
        let writer = try EventLogWriter(path: path, format: format, seed: spec.seed, dataQuality: spec.dataQuality)
        let metrics = try simulator.run(observers: [writer])
        let stats = writer.stats

        // Generated events are exactly the simulated usage.
        #expect(stats[.sessionStarted].generated == metrics.reduce(0) { $0 + $1.sessions })
        #expect(stats[.keyAction].generated == metrics.reduce(0) { $0 + $1.keyActions })
        #expect(stats[.signedUp].generated == metrics.reduce(0) { $0 + $1.signups })
        #expect(stats[.npsSubmitted].generated == metrics.reduce(0) { $0 + $1.npsResponses })

        // Every generated event is written or accounted for, and the loss rate is as configured:
        // |p̂ − p| ≤ 4.5·√(p(1−p)/n) fails a correct writer with probability below 1e-5.
        let total = stats.total
        #expect(total.generated == total.written + total.lost + total.lateBeyondHorizon)
        let n = Double(total.generated)
        #expect(n > 100_000)
        #expect(abs(Double(total.lost) / n - loss) <= 4.5 * (loss * (1 - loss) / n).squareRoot())

        // The file holds exactly the written events.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if format == .csv { lines.removeFirst() }
        #expect(lines.count == total.written)
        let sessionLines = lines.filter { $0.contains("session_started") }.count
        #expect(sessionLines == stats[.sessionStarted].written)
    }
}
