import Foundation
import Simulation
import Stats
import UsageModel

/// Hand-built populations and usage days for the event-log tests: no simulator involved.
enum EventLogFixture {
    static let start = CivilDate(year: 2026, month: 1, day: 5)!

    static func directory(
        accounts: [Int32], days: Int, features: [String] = ["reports", "dashboards", "export"],
        milestones: [String] = ["first_report", "invited_teammate"], plans: [String] = ["free", "team", "business"]
    ) -> PopulationDirectory {
        PopulationDirectory(
            userCount: accounts.count, account: Column(accounts),
            signupDay: Column(repeating: 0, count: accounts.count),
            accountCount: Int(accounts.max().map { $0 + 1 } ?? 0), featureNames: features, milestoneNames: milestones,
            planNames: plans, startDate: start, days: days)
    }

    /// One user's row of a usage day.
    struct Row {
        var signedUp = true
        var sessions: UInt16 = 0
        var keyActions: UInt16 = 0
        var features: UInt32 = 0
        var milestones: UInt16 = 0
        var nps: Int8 = -1
        var commerce: CommerceEvent = .none
        var plan: UInt8 = 0
    }

    static func day(_ day: Int, _ rows: [Row]) -> UsageDay {
        UsageDay(
            day: day, sessions: Column(rows.map(\.sessions)), keyActions: Column(rows.map(\.keyActions)),
            features: Column(rows.map(\.features)), milestones: Column(rows.map(\.milestones)),
            npsScore: Column(rows.map(\.nps)), commerce: Column(rows.map(\.commerce.rawValue)),
            plan: Column(rows.map(\.plan)), signedUp: Column(rows.map(\.signedUp)))
    }

    /// Events a row must produce, counted from the rules of `docs/event-log-format.md`.
    static func expectedEvents(_ r: Row) -> Int {
        guard r.signedUp else { return 0 }
        var n = Int(r.sessions) + Int(r.keyActions) + r.features.nonzeroBitCount + r.milestones.nonzeroBitCount
        if r.nps >= 0 { n += 1 }
        switch r.commerce {
        case .none: break
        case .trialStarted, .subscribed: n += 2
        default: n += 1
        }
        return n
    }

    /// A random population's usage: `users` users in accounts of 4, signing up over the first few
    /// days, each day drawn from its own stream so the fixture is fixed for a seed.
    static func randomDays(users: Int, days: Int, seed: UInt64) -> [[Row]] {
        var out: [[Row]] = []
        for d in 0..<days {
            var rows: [Row] = []
            rows.reserveCapacity(users)
            for u in 0..<users {
                var g = SplitMix64(seed: StreamKey.derive(seed, 0x54_4553_54, UInt64(u), UInt64(d)))
                let signupDay = u % 3
                var r = Row()
                r.signedUp = d >= signupDay
                guard r.signedUp else {
                    rows.append(r)
                    continue
                }
                r.sessions = UInt16(FastSampler.poisson(mean: 2, using: &g))
                if r.sessions > 0 {
                    r.keyActions = UInt16(FastSampler.poisson(mean: 4, using: &g))
                    for f in 0..<3 where FastSampler.bernoulli(0.3, using: &g) { r.features |= 1 << f }
                    for m in 0..<2 where FastSampler.bernoulli(0.05, using: &g) { r.milestones |= 1 << m }
                }
                if FastSampler.bernoulli(0.03, using: &g) { r.nps = Int8(FastSampler.poisson(mean: 7, using: &g) % 11) }
                r.plan = UInt8(u % 3)
                if d == signupDay {
                    r.commerce = u % 2 == 0 ? .trialStarted : .subscribed
                } else if FastSampler.bernoulli(0.02, using: &g) {
                    r.commerce = [.converted, .trialExpired, .upgraded, .downgraded, .cancelled][u % 5]
                }
                rows.append(r)
            }
            out.append(rows)
        }
        return out
    }

    /// Runs a writer over the days and returns the file's bytes and the final stats.
    static func write(
        _ days: [[Row]], directory: PopulationDirectory, to path: String, format: EventLogFormat, seed: UInt64 = 42,
        quality: DataQuality = .none
    ) throws -> (bytes: [UInt8], stats: EventLogStats) {
        let writer = try EventLogWriter(path: path, format: format, seed: seed, dataQuality: quality)
        try writer.daysWillStart(directory)
        for (d, rows) in days.enumerated() {
            try writer.dayDidEnd(day(d, rows))
        }
        try writer.daysDidEnd()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return (bytes, writer.stats)
    }
}

/// A fresh directory under the system's temporary one, removed by ``remove()``.
struct EventLogScratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("segmentlab-eventlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// One event read back from a log, whatever its format.
struct EventLogLine {
    var userID: String
    var accountID: String
    var event: String
    var timestamp: String
    var receivedAt: String
    var properties: [String: Any]
    var messageID: String?
}

enum EventLogReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// An RFC 4180 parser: fields split by commas, records by `\n`, quoted fields may hold commas,
    /// line breaks and doubled quotes; a quote anywhere else is an error.
    static func parseCSV(_ bytes: [UInt8]) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var i = 0
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let newline = UInt8(ascii: "\n")
        while i < bytes.count {
            if bytes[i] == quote {
                guard field.isEmpty else { throw Malformed(description: "quote inside an unquoted field at byte \(i)") }
                i += 1
                while true {
                    guard i < bytes.count else { throw Malformed(description: "unterminated quoted field") }
                    if bytes[i] == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(bytes[i])
                    i += 1
                }
                guard i == bytes.count || bytes[i] == comma || bytes[i] == newline else {
                    throw Malformed(description: "text after a closing quote at byte \(i)")
                }
                continue
            }
            switch bytes[i] {
            case comma:
                record.append(String(decoding: field, as: UTF8.self))
                field = []
            case newline:
                record.append(String(decoding: field, as: UTF8.self))
                records.append(record)
                record = []
                field = []
            case UInt8(ascii: "\r"):
                throw Malformed(description: "carriage return outside quotes at byte \(i)")
            default:
                field.append(bytes[i])
            }
            i += 1
        }
        guard field.isEmpty && record.isEmpty else { throw Malformed(description: "last record lacks its line end") }
        return records
    }

    static func object(_ json: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw Malformed(description: "not a JSON object: \(json)")
        }
        return o
    }

    /// The events of a log, checking the layout of every line on the way.
    static func read(_ bytes: [UInt8], format: EventLogFormat) throws -> [EventLogLine] {
        switch format {
        case .csv:
            var records = try parseCSV(bytes)
            guard records.first == ["user_id", "account_id", "event", "timestamp", "received_at", "properties"] else {
                throw Malformed(description: "bad header \(records.first ?? [])")
            }
            records.removeFirst()
            return try records.map { r in
                guard r.count == 6 else { throw Malformed(description: "\(r.count) fields in \(r)") }
                return EventLogLine(
                    userID: r[0], accountID: r[1], event: r[2], timestamp: r[3], receivedAt: r[4],
                    properties: try object(r[5]), messageID: nil)
            }
        case .jsonl:
            guard bytes.last == UInt8(ascii: "\n") || bytes.isEmpty else {
                throw Malformed(description: "last line lacks its line end")
            }
            return try bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map {
                line in
                let o = try object(String(decoding: line, as: UTF8.self))
                guard o["type"] as? String == "track", let user = o["userId"] as? String,
                    let group = o["groupId"] as? String, let event = o["event"] as? String,
                    let timestamp = o["timestamp"] as? String, let received = o["receivedAt"] as? String,
                    let message = o["messageId"] as? String, let properties = o["properties"] as? [String: Any],
                    o.count == 8
                else { throw Malformed(description: "missing or extra fields in \(o)") }
                return EventLogLine(
                    userID: user, accountID: group, event: event, timestamp: timestamp, receivedAt: received,
                    properties: properties, messageID: message)
            }
        }
    }

    /// Milliseconds since the start date's midnight of `YYYY-MM-DDTHH:MM:SS.mmmZ`, or nil if the text
    /// does not have exactly that shape.
    static func millis(_ text: String, start: CivilDate = EventLogFixture.start) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 24, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z"),
            let date = CivilDate(iso: String(text.prefix(10))),
            let h = Int64(text.dropFirst(11).prefix(2)), let m = Int64(text.dropFirst(14).prefix(2)),
            let s = Int64(text.dropFirst(17).prefix(2)), let ms = Int64(text.dropFirst(20).prefix(3)),
            h < 24, m < 60, s < 60
        else { return nil }
        let day = Int64(date.daysSinceEpoch - start.daysSinceEpoch)
        return ((day * 24 + h) * 60 + m) * 60_000 + s * 1000 + ms
    }
}
