/// Which event field a CSV column holds.
enum CSVColumn: Int, CaseIterable {
    case user, account, event, timestamp, properties, anonymous, type

    /// Header names are compared lower-cased without `_`, `-` and spaces, so `user_id`, `userId` and
    /// `USER ID` all name the user column.
    static func named(_ normalized: String) -> CSVColumn? {
        switch normalized {
        case "userid": return .user
        case "accountid", "groupid": return .account
        case "event": return .event
        case "timestamp": return .timestamp
        case "properties": return .properties
        case "anonymousid": return .anonymous
        case "type": return .type
        default: return nil
        }
    }

    var displayName: String {
        switch self {
        case .user: return "user_id"
        case .account: return "account_id"
        case .event: return "event"
        case .timestamp: return "timestamp"
        case .properties: return "properties"
        case .anonymous: return "anonymous_id"
        case .type: return "type"
        }
    }

    static let required: [CSVColumn] = [.user, .event, .timestamp]
}

/// Reads RFC 4180 CSV with a header row naming the columns in any order.
enum CSVReader {
    /// Fields kept per row; more are counted, and such a row is malformed unless the header is as wide.
    static let maxFields = 1024

    /// A CSV file being read row by row, from its start (after the header) or from a later line.
    struct File: RowReader {
        private var pass: Pass
        private let slots: Slots

        /// Reads the byte-order mark and the header of the file `reader` starts at.
        init(opening reader: LogFileReader, scratch: Scratch, maxRecord: Int) throws {
            try reader.skipByteOrderMark()
            if reader.available == 0 && reader.atEOF { throw EventImportError.emptyFile(path: reader.path) }
            pass = Pass(reader: reader, scratch: scratch, maxRecord: maxRecord)
            let (columns, headerLine) = try pass.readHeader()
            slots = try Slots(columns, path: reader.path, headerLine: headerLine)
        }

        /// The rows from where `reader` starts, a line of the file that `header` opened; lines are counted from 1
        /// there.
        init(continuing reader: LogFileReader, header: File, scratch: Scratch) {
            pass = Pass(reader: reader, scratch: scratch, maxRecord: header.pass.maxRecord)
            slots = header.slots
        }

        var position: Int { pass.reader.position }
        var line: Int { pass.line }

        mutating func readRows(until stop: Int? = nil, into sink: inout some EventSink) throws {
            try pass.readRows(slots, until: stop, into: &sink)
        }

        func finished() -> FileTally { pass.finished() }
    }

    /// Where each event field sits in a row, from the header; −1 for an optional column the file lacks.
    fileprivate struct Slots {
        let width: Int
        let user: Int
        let event: Int
        let timestamp: Int
        let account: Int
        let properties: Int
        let anonymous: Int
        let type: Int

        /// Maps the header's column names to event fields; a duplicate or a missing required column is an error.
        init(_ columns: [String], path: String, headerLine: Int) throws {
            var slot = [Int](repeating: -1, count: CSVColumn.allCases.count)
            for (index, name) in columns.enumerated() {
                let normalized = String(
                    name.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " }.map(Character.init))
                guard let column = CSVColumn.named(normalized) else { continue }
                if slot[column.rawValue] >= 0 {
                    throw EventImportError.duplicateColumn(path: path, line: headerLine, column: name)
                }
                slot[column.rawValue] = index
            }
            for column in CSVColumn.required where slot[column.rawValue] < 0 {
                throw EventImportError.missingColumn(path: path, line: headerLine, column: column.displayName)
            }
            width = columns.count
            user = slot[CSVColumn.user.rawValue]
            event = slot[CSVColumn.event.rawValue]
            timestamp = slot[CSVColumn.timestamp.rawValue]
            account = slot[CSVColumn.account.rawValue]
            properties = slot[CSVColumn.properties.rawValue]
            anonymous = slot[CSVColumn.anonymous.rawValue]
            type = slot[CSVColumn.type.rawValue]
        }

        /// The event fields of a row of ``width`` fields, spans into the row starting at `base`.
        @inline(__always)
        func event(_ f: UnsafeMutablePointer<ByteSpan>, base: UnsafePointer<UInt8>) -> RawEvent {
            var raw = RawEvent(empty: base)
            raw.user = f[user]
            raw.event = f[event]
            raw.timestamp = f[timestamp]
            if account >= 0 { raw.account = f[account] }
            if properties >= 0 { raw.properties = f[properties] }
            if anonymous >= 0 { raw.anonymous = f[anonymous] }
            if type >= 0 {
                let kind = f[type]
                raw.isTrack = kind.isEmpty || kind.equals("track")
            }
            return raw
        }
    }

    /// One pass over a file: the reader and the record splitter, and what the pass has seen so far.
    fileprivate struct Pass {
        let reader: LogFileReader
        let scratch: Scratch
        let maxRecord: Int
        let splitter: CSVRecordSplitter
        var tally = FileTally()
        /// The physical line the next record starts on.
        var line = 1
        var endsWithoutLineFeed = false

        init(reader: LogFileReader, scratch: Scratch, maxRecord: Int) {
            self.reader = reader
            self.scratch = scratch
            self.maxRecord = maxRecord
            splitter = CSVRecordSplitter(capacity: maxFields, scratch: scratch)
        }

        /// Reads the header, the first row that is not blank; returns its column names and its line.
        mutating func readHeader() throws -> (columns: [String], line: Int) {
            while true {
                scratch.reset()
                if reader.available == 0 && reader.atEOF { throw EventImportError.emptyFile(path: reader.path) }
                let outcome = splitter.split(
                    reader.buffer + reader.start, available: reader.available, atEOF: reader.atEOF)
                switch outcome {
                case .needMore:
                    if reader.available > maxRecord {
                        throw EventImportError.badHeader(path: reader.path, line: line, reason: "longer than 1 MiB")
                    }
                    try reader.refill()
                case .malformed(let reason):
                    throw EventImportError.badHeader(path: reader.path, line: line, reason: reason.description)
                case .record(let length, let breaks, let fields):
                    guard UTF8Check.isValid(reader.buffer + reader.start, length) else {
                        throw EventImportError.badHeader(path: reader.path, line: line, reason: "invalid UTF-8")
                    }
                    reader.start += length
                    endsWithoutLineFeed = reader.buffer[reader.start - 1] != 0x0A
                    if fields == 1 && splitter.fields[0].isEmpty {
                        tally.blankLines += 1
                        line += breaks
                        continue
                    }
                    guard fields <= maxFields else {
                        throw EventImportError.badHeader(
                            path: reader.path, line: line, reason: "more than \(maxFields) columns")
                    }
                    let columns = (0..<fields).map { splitter.fields[$0].string() }
                    let headerLine = line
                    line += breaks
                    return (columns, headerLine)
                }
            }
        }

        /// Reads the rows after the header, each one record, blank line or malformed row: to the end of the file,
        /// or until a record would start at or past the offset `stop`.
        @inline(__always)
        mutating func readRows(_ slots: Slots, until stop: Int?, into sink: inout some EventSink) throws {
            let stop = stop ?? Int.max
            while reader.position < stop {
                if reader.available == 0 {
                    if reader.atEOF { break }
                    try reader.refill()
                    continue
                }
                scratch.reset()
                let base = reader.buffer + reader.start
                switch splitter.split(base, available: reader.available, atEOF: reader.atEOF) {
                case .needMore:
                    guard reader.available > maxRecord else {
                        try reader.refill()
                        continue
                    }
                    try skipOverlongRecord(into: &sink)
                case .malformed(let reason):
                    try resynchronise(after: reason, into: &sink)
                case .record(let length, let breaks, let fields):
                    try takeRecord(base, length: length, lineBreaks: breaks, fields: fields, slots, into: &sink)
                }
            }
        }

        /// Skips a record past the limit: a quoted field that never closed, or one physical line that is too long.
        @inline(__always)
        private mutating func skipOverlongRecord(into sink: inout some EventSink) throws {
            tally.records += 1
            if let k = reader.lineFeed(from: reader.start), k - reader.start <= maxRecord {
                try sink.malformed(.quotedFieldTooLong, line: line)
                reader.start = k + 1
            } else {
                try sink.malformed(.lineTooLong, line: line)
                endsWithoutLineFeed = !(try reader.discardThroughLineFeed())
            }
            line += 1
        }

        /// Resynchronises on the next physical line after a malformed record, so a stray quote costs one line,
        /// not the file.
        @inline(__always)
        private mutating func resynchronise(after reason: MalformedReason, into sink: inout some EventSink) throws {
            if let k = reader.lineFeed(from: reader.start) {
                reader.start = k + 1
            } else if reader.atEOF {
                reader.start = reader.end
                endsWithoutLineFeed = true
            } else {
                // The rest of the line is not buffered yet: read on (the overflow case of `readRows` catches a
                // line that never ends).
                if reader.available > maxRecord {
                    tally.records += 1
                    try sink.malformed(.lineTooLong, line: line)
                    endsWithoutLineFeed = !(try reader.discardThroughLineFeed())
                    line += 1
                } else {
                    try reader.refill()
                }
                return
            }
            tally.records += 1
            try sink.malformed(reason, line: line)
            line += 1
        }

        /// Takes one whole record at `base`: counts a blank line, reports a malformed row, or hands on the event.
        @inline(__always)
        private mutating func takeRecord(
            _ base: UnsafeMutablePointer<UInt8>, length: Int, lineBreaks breaks: Int, fields: Int, _ slots: Slots,
            into sink: inout some EventSink
        ) throws {
            let recordLine = line
            let terminated = base[length - 1] == 0x0A
            endsWithoutLineFeed = !terminated
            reader.start += length
            line += breaks
            if fields == 1 && splitter.fields[0].isEmpty {
                tally.blankLines += 1
                return
            }
            tally.records += 1
            guard UTF8Check.isValid(base, length) else {
                try sink.malformed(.invalidUTF8, line: recordLine)
                return
            }
            guard fields == slots.width else {
                if breaks > (terminated ? 1 : 0) {
                    // A row spanning lines with the wrong width is most likely a stray quote: read the
                    // lines after its first one again.
                    reader.start = reader.lineFeed(from: base - reader.buffer)! + 1
                    line = recordLine + 1
                    endsWithoutLineFeed = false
                }
                try sink.malformed(.fieldCount(expected: slots.width, found: fields), line: recordLine)
                return
            }
            var raw = slots.event(splitter.fields, base: base)
            if raw.isTrack {
                if raw.event.isEmpty {
                    try sink.malformed(.missing("event"), line: recordLine)
                    return
                }
                if raw.timestamp.isEmpty {
                    try sink.malformed(.missing("timestamp"), line: recordLine)
                    return
                }
            }
            try sink.event(&raw, line: recordLine)
        }

        /// What the file held: its tally with the lines counted and the bytes read.
        func finished() -> FileTally {
            var tally = tally
            tally.lines = line - 1 + (endsWithoutLineFeed ? 1 : 0)
            tally.bytes = reader.bytesRead
            return tally
        }
    }
}
