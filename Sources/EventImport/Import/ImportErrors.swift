public import UsageModel

/// Why one line of an event log could not be read. Each case prints as the message after `file:line:`.
public enum MalformedReason: Error, Hashable, Sendable, CustomStringConvertible {
    /// A physical line longer than ``EventLogImporter/maxLineBytes``; only its first MiB was held.
    case lineTooLong
    /// A quoted CSV field still open after ``EventLogImporter/maxLineBytes``: most likely a stray quote.
    case quotedFieldTooLong
    /// A quoted CSV field still open at the end of the file.
    case unterminatedQuote
    /// RFC 4180 allows a double quote only in a quoted field.
    case quoteInUnquotedField
    /// A quoted CSV field closes and something other than a comma or the line end follows.
    case textAfterClosingQuote
    /// A CSV row with another number of fields than the header.
    case fieldCount(expected: Int, found: Int)
    case invalidUTF8
    /// A JSON syntax error at a 1-based byte column of the line.
    case invalidJSON(String, column: Int)
    case notAnObject
    /// The CSV `properties` field is not valid JSON; the offset is 1-based within the field.
    case invalidPropertiesJSON(String, offset: Int)
    /// A required field is absent or empty.
    case missing(String)
    /// A field has the wrong JSON type.
    case wrongType(String, expected: String)
    case invalidTimestamp(String)

    public var description: String {
        switch self {
        case .lineTooLong: return "line longer than 1 MiB"
        case .quotedFieldTooLong: return "quoted field not closed within 1 MiB (a stray quote?)"
        case .unterminatedQuote: return "unterminated quoted field"
        case .quoteInUnquotedField: return "double quote inside an unquoted field"
        case .textAfterClosingQuote: return "text after the closing quote of a field"
        case .fieldCount(let expected, let found): return "expected \(expected) fields, found \(found)"
        case .invalidUTF8: return "invalid UTF-8"
        case .invalidJSON(let message, let column): return "invalid JSON at column \(column): \(message)"
        case .notAnObject: return "not a JSON object"
        case .invalidPropertiesJSON(let message, let offset):
            return "invalid JSON in 'properties' at character \(offset): \(message)"
        case .missing(let field): return "missing '\(field)'"
        case .wrongType(let field, let expected): return "'\(field)' must be \(expected)"
        case .invalidTimestamp(let text): return "invalid timestamp '\(text)'"
        }
    }

    /// The reason without its details, for counting lines by kind.
    public var kind: String {
        switch self {
        case .fieldCount: return "wrong number of fields"
        case .invalidJSON: return "invalid JSON"
        case .invalidPropertiesJSON: return "invalid JSON in 'properties'"
        case .missing(let field): return "missing '\(field)'"
        case .wrongType(let field, _): return "'\(field)' of the wrong type"
        case .invalidTimestamp: return "invalid timestamp"
        default: return description
        }
    }
}

/// A line that could not be read, where it is: prints as `events.csv:1234: unterminated quoted field`.
public struct MalformedLine: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// 1-based physical line where the record starts.
    public let line: Int
    public let reason: MalformedReason

    public init(file: String, line: Int, reason: MalformedReason) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(reason)" }
}

/// Why an import could not run; each case names the file and, where there is one, the line.
public enum EventImportError: ExitStatusError, Equatable, Sendable {
    /// A log that cannot be read is bad input; so is one too big for this machine.
    public var exitStatus: Int32 { 2 }

    case noFiles
    /// The extension is not `.csv`, `.jsonl` or `.ndjson`.
    case unknownFormat(path: String)
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    /// Nothing but perhaps a byte-order mark: no header, no event.
    case emptyFile(path: String)
    /// The CSV header is not a readable row.
    case badHeader(path: String, line: Int, reason: String)
    case missingColumn(path: String, line: Int, column: String)
    case duplicateColumn(path: String, line: Int, column: String)
    /// Strict mode: the first malformed line.
    case malformedLine(MalformedLine)
    /// Problems of an alias or account table, each already `file:line: message`.
    case invalidTable(path: String, problems: [String])
    case invalidDateRange(start: CivilDate, end: CivilDate)
    /// The days to replay span more than ``EventLogImporter/maxDays``; each end with where it comes from.
    case dateRangeTooWide(first: CivilDate, firstAt: String, last: CivilDate, lastAt: String, days: Int)
    /// Not one event could be used; the summary says why.
    case noUsableEvents(summary: String)
    /// The import would need more memory than the caller allows.
    case tooLarge(estimatedBytes: Int, limit: Int, users: Int, days: Int)
    /// Pass 2 met a user pass 1 did not see.
    case changedDuringImport(path: String)

    public var description: String {
        switch self {
        case .noFiles:
            return "no event log given"
        case .unknownFormat(let path):
            return "\(path): cannot tell the event log format from the extension (use .csv, .jsonl or .ndjson)"
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open: \(reason)"
        case .readFailed(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .emptyFile(let path):
            return "\(path): the file is empty"
        case .badHeader(let path, let line, let reason):
            return "\(path):\(line): cannot read the header: \(reason)"
        case .missingColumn(let path, let line, let column):
            return "\(path):\(line): missing column '\(column)'"
        case .duplicateColumn(let path, let line, let column):
            return "\(path):\(line): column '\(column)' appears twice"
        case .malformedLine(let line):
            return line.description
        case .invalidTable(_, let problems):
            return problems.joined(separator: "\n")
        case .invalidDateRange(let start, let end):
            return "the end date \(end) is before the start date \(start)"
        case .dateRangeTooWide(let first, let firstAt, let last, let lastAt, let days):
            return
                "the log spans \(days) days, from \(first) (\(firstAt)) to \(last) (\(lastAt)); an import replays at "
                + "most \(EventLogImporter.maxDays). Fix the outlying line, or choose the days with --since and --as-of "
                + "(events outside them are skipped and counted)."
        case .noUsableEvents(let summary):
            return "no usable event in the log\n" + summary
        case .tooLarge(let bytes, let limit, let users, let days):
            return
                "the import needs about \(ByteCount.text(bytes)) (\(users) users over \(days) days), "
                + "more than the limit of \(ByteCount.text(limit))"
        case .changedDuringImport(let path):
            return "\(path): the file changed between the two passes of the import"
        }
    }
}

enum ByteCount {
    static func text(_ bytes: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(units[unit])"
    }
}
