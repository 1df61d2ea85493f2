/// The two layouts of a SegmentLab event log; `docs/event-log-format.md` specifies both byte for byte.
public enum EventLogFormat: String, CaseIterable, Sendable {
    /// RFC 4180 CSV with a header line: the shape of RudderStack's `tracks` warehouse table.
    case csv
    /// One Segment track message per line (JSON Lines, also called NDJSON).
    case jsonl

    /// The format a file name's extension asks for (`.csv`, `.jsonl` or `.ndjson`, any case), or `nil`.
    ///
    /// The command line picks the format from `--events out.csv`, so an unknown extension must be
    /// reported rather than guessed.
    public static func inferred(fromPath path: String) -> EventLogFormat? {
        guard let dot = path.lastIndex(of: ".") else { return nil }
        let suffix = path[path.index(after: dot)...]
        guard !suffix.contains("/") else { return nil }
        switch suffix.lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson": return .jsonl
        default: return nil
        }
    }
}

/// Why an event log could not be written; every case names the file or the offending input.
public enum EventLogError: Error, Equatable, CustomStringConvertible {
    /// The path's extension names no ``EventLogFormat``.
    case unknownFormat(path: String)
    /// A ``DataQuality`` field is out of range (the message names it).
    case invalidDataQuality(String)
    /// The observer calls or the day's columns do not fit the population directory.
    case invalidInput(String)
    case cannotCreate(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case renameFailed(from: String, to: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFormat(let path):
            return "\(path): cannot tell the event log format from the extension (use .csv, .jsonl or .ndjson)"
        case .invalidDataQuality(let message):
            return "data_quality.\(message)"
        case .invalidInput(let message):
            return "event log: \(message)"
        case .cannotCreate(let path, let reason):
            return "\(path): cannot create the event log: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write the event log: \(reason)"
        case .renameFailed(let from, let to, let reason):
            return "\(to): cannot move the finished event log from \(from): \(reason)"
        }
    }
}

/// The ids the event log gives users and accounts (docs/event-log-format.md), for tables written beside it.
public enum EventLogIDs {
    /// `u` and the 1-based user index, zero-padded to at least 7 digits.
    public static func user(_ index: Int) -> String { "u" + padded(index + 1, 7) }

    /// `a` and the 1-based account index, zero-padded to at least 6 digits.
    public static func account(_ index: Int) -> String { "a" + padded(index + 1, 6) }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
