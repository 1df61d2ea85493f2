public import UsageModel

/// What an import read and what it did with every line: nothing is dropped without being counted here.
///
/// Every record (a line holding an event, not the CSV header or a blank line) is either used or skipped
/// for exactly one reason, the first that applies in the order of ``SkipReason``:
/// `records == eventsUsed + skippedTotal`.
public struct ImportSummary: Sendable, Equatable, CustomStringConvertible {
    /// Why an event was not used, in the order the checks run.
    public enum SkipReason: Int, CaseIterable, Sendable, Comparable {
        /// The line could not be read (see ``ImportSummary/malformedKinds``).
        case malformed
        /// A Segment call other than `track` (`identify`, `page`, `group`, …).
        case notTrack
        /// An event name the taxonomy does not mention.
        case unknownEvent
        /// An event the taxonomy lists under `ignore`.
        case ignoredEvent
        /// No user id (nor an anonymous id where the taxonomy allows it).
        case emptyUserID
        /// A billing event whose plan is not in the taxonomy's plan list.
        case unknownPlan
        /// An NPS answer without a score 0–10, or a plan change without a known direction.
        case invalidProperty
        /// A known event whose property values match none of its feature or milestone rules.
        case unmatchedProperty
        /// Before the start date (still used to date the user's sign-up, milestones and plan).
        case beforeStart
        /// After the end date (`asOf`).
        case afterEnd

        public var label: String {
            switch self {
            case .malformed: return "malformed"
            case .notTrack: return "not a track call"
            case .unknownEvent: return "unknown event name"
            case .ignoredEvent: return "ignored event name"
            case .emptyUserID: return "empty user id"
            case .unknownPlan: return "unknown plan"
            case .invalidProperty: return "invalid property value"
            case .unmatchedProperty: return "no rule matched the properties"
            case .beforeStart: return "before the start date"
            case .afterEnd: return "after the end date"
            }
        }

        public static func < (a: SkipReason, b: SkipReason) -> Bool { a.rawValue < b.rawValue }
    }

    /// A name seen in the log and how often.
    public struct NameCount: Sendable, Equatable {
        public let name: String
        public let count: Int
    }

    public struct FileCounts: Sendable, Equatable {
        public let path: String
        /// `csv` or `jsonl`.
        public let format: String
        public let bytes: Int
        /// Physical lines, header and blank lines included.
        public let lines: Int
        public let records: Int
        public let blankLines: Int
    }

    public internal(set) var files: [FileCounts] = []
    public internal(set) var eventsUsed = 0
    public internal(set) var skipped: [SkipReason: Int] = [:]
    /// Malformed lines by kind of problem (``MalformedReason/kind``).
    public internal(set) var malformedKinds: [String: Int] = [:]
    /// The first ten malformed lines, in the order read.
    public internal(set) var firstMalformed: [MalformedLine] = []
    /// Used events whose user id was an alias, counted under the user it maps to.
    public internal(set) var reattributed = 0
    /// Unknown event names, most frequent first (at most 20; ``otherUnknownEvents`` counts the rest).
    public internal(set) var unknownEvents: [NameCount] = []
    public internal(set) var otherUnknownEvents = 0
    /// Every unknown event name the importer told apart (up to a thousand), most frequent first: what a
    /// merge of shards that read different files adds up.
    public internal(set) var allUnknownEvents: [NameCount] = []
    /// Plan values not in the taxonomy, most frequent first (at most 20).
    public internal(set) var unknownPlans: [NameCount] = []
    /// Users seen with more than one account; the account of their earliest event is kept.
    public internal(set) var usersWithSeveralAccounts = 0
    /// Used events dated before their user's sign-up day (they still count; the user is not yet signed up).
    /// Known after pass 2: always 0 in ``EventLogScan/summary``.
    public internal(set) var eventsBeforeSignUp = 0
    /// Used events of users another shard imports (``EventLogImporter/keepsAccount``): neither
    /// used here nor skipped.
    public internal(set) var eventsOfOtherShards = 0
    public internal(set) var users = 0
    public internal(set) var accounts = 0
    /// The first and last replayed day, UTC.
    public internal(set) var startDate: CivilDate?
    public internal(set) var endDate: CivilDate?
    public internal(set) var days = 0

    public var linesRead: Int { files.reduce(0) { $0 + $1.lines } }
    public var bytesRead: Int { files.reduce(0) { $0 + $1.bytes } }
    public var records: Int { files.reduce(0) { $0 + $1.records } }
    public var skippedTotal: Int { skipped.values.reduce(0, +) }
    public var malformedTotal: Int { skipped[.malformed] ?? 0 }

    public func skipped(_ reason: SkipReason) -> Int { skipped[reason] ?? 0 }

    public var description: String {
        var out: [String] = []
        let fileRows = files.map {
            [$0.path, $0.format, String($0.lines), String($0.records), ByteCount.text($0.bytes)]
        }
        out.append(Table.render([["file", "format", "lines", "records", "size"]] + fileRows, leftColumns: 2))
        var rows: [[String]] = [["records", String(records)], ["used", String(eventsUsed)]]
        rows.append(["skipped", String(skippedTotal)])
        for reason in SkipReason.allCases where skipped(reason) > 0 {
            rows.append(["  " + reason.label, String(skipped(reason))])
            if reason == .malformed {
                for (kind, count) in malformedKinds.sorted(by: {
                    $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
                }) {
                    rows.append(["    " + kind, String(count)])
                }
            }
        }
        if eventsOfOtherShards > 0 { rows.append(["used by other shards", String(eventsOfOtherShards)]) }
        if reattributed > 0 { rows.append(["re-attributed through aliases", String(reattributed)]) }
        if eventsBeforeSignUp > 0 { rows.append(["used before the user's sign-up day", String(eventsBeforeSignUp)]) }
        if usersWithSeveralAccounts > 0 {
            rows.append(["users with several accounts", String(usersWithSeveralAccounts)])
        }
        rows.append(["users", String(users)])
        rows.append(["accounts", String(accounts)])
        out.append(Table.render([["", ""]] + rows, leftColumns: 1, header: false))
        if let startDate, let endDate { out.append("\(days) days (UTC), \(startDate) to \(endDate)") }
        if !unknownEvents.isEmpty {
            var names = unknownEvents.map { "\($0.name) (\($0.count))" }
            if otherUnknownEvents > 0 { names.append("\(otherUnknownEvents) more") }
            out.append("unknown events: " + names.joined(separator: ", "))
        }
        if !unknownPlans.isEmpty {
            out.append("unknown plans: " + unknownPlans.map { "\($0.name) (\($0.count))" }.joined(separator: ", "))
        }
        if !firstMalformed.isEmpty {
            let total = malformedTotal
            let heading =
                total > firstMalformed.count
                ? "malformed lines (first \(firstMalformed.count) of \(total)):" : "malformed lines:"
            out.append(([heading] + firstMalformed.map { "  \($0)" }).joined(separator: "\n"))
        }
        return out.joined(separator: "\n")
    }
}

/// Plain-text tables with aligned columns: text left, numbers right.
enum Table {
    static func render(_ rows: [[String]], leftColumns: Int, header: Bool = true) -> String {
        let body = header ? rows : Array(rows.dropFirst())
        let widths = (0..<(rows.first?.count ?? 0)).map { c in body.map { $0[c].count }.max() ?? 0 }
        return body.map { cells in
            cells.enumerated().map { c, text in
                let pad = String(repeating: " ", count: widths[c] - text.count)
                return c < leftColumns ? text + pad : pad + text
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
