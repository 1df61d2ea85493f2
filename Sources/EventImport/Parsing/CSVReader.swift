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

    static func read(_ reader: LogFileReader, scratch: Scratch, maxRecord: Int, into sink: inout some EventSink)
        throws -> FileTally
    {
        var tally = FileTally()
        try reader.skipByteOrderMark()
        if reader.available == 0 && reader.atEOF { throw EventImportError.emptyFile(path: reader.path) }
        let splitter = CSVRecordSplitter(capacity: maxFields, scratch: scratch)
        var line = 1

        // The header: the first row that is not blank.
        var header: [String]?
        var headerLine = 1
        var endsWithoutLineFeed = false
        while header == nil {
            scratch.reset()
            if reader.available == 0 && reader.atEOF { throw EventImportError.emptyFile(path: reader.path) }
            let outcome = splitter.split(reader.buffer + reader.start, available: reader.available, atEOF: reader.atEOF)
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
                header = (0..<fields).map { splitter.fields[$0].string() }
                headerLine = line
                line += breaks
            }
        }
        let columns = header!
        var slot = [Int](repeating: -1, count: CSVColumn.allCases.count)
        for (index, name) in columns.enumerated() {
            let normalized = String(
                name.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " }.map(Character.init))
            guard let column = CSVColumn.named(normalized) else { continue }
            if slot[column.rawValue] >= 0 {
                throw EventImportError.duplicateColumn(path: reader.path, line: headerLine, column: name)
            }
            slot[column.rawValue] = index
        }
        for column in CSVColumn.required where slot[column.rawValue] < 0 {
            throw EventImportError.missingColumn(path: reader.path, line: headerLine, column: column.displayName)
        }
        let width = columns.count
        let userSlot = slot[CSVColumn.user.rawValue]
        let eventSlot = slot[CSVColumn.event.rawValue]
        let timeSlot = slot[CSVColumn.timestamp.rawValue]
        let accountSlot = slot[CSVColumn.account.rawValue]
        let propertiesSlot = slot[CSVColumn.properties.rawValue]
        let anonymousSlot = slot[CSVColumn.anonymous.rawValue]
        let typeSlot = slot[CSVColumn.type.rawValue]

        // The rows. `line` is the physical line the next record starts on.
        while true {
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
                // Past the limit: a quoted field that never closed, or one physical line that is too long.
                tally.records += 1
                if let k = reader.lineFeed(from: reader.start), k - reader.start <= maxRecord {
                    try sink.malformed(.quotedFieldTooLong, line: line)
                    reader.start = k + 1
                } else {
                    try sink.malformed(.lineTooLong, line: line)
                    endsWithoutLineFeed = !(try reader.discardThroughLineFeed())
                }
                line += 1
            case .malformed(let reason):
                // Resynchronise on the next physical line, so a stray quote costs one line, not the file.
                if let k = reader.lineFeed(from: reader.start) {
                    reader.start = k + 1
                } else if reader.atEOF {
                    reader.start = reader.end
                    endsWithoutLineFeed = true
                } else {
                    // The rest of the line is not buffered yet: read on (the overflow case above catches a
                    // line that never ends).
                    if reader.available > maxRecord {
                        tally.records += 1
                        try sink.malformed(.lineTooLong, line: line)
                        endsWithoutLineFeed = !(try reader.discardThroughLineFeed())
                        line += 1
                    } else {
                        try reader.refill()
                    }
                    continue
                }
                tally.records += 1
                try sink.malformed(reason, line: line)
                line += 1
            case .record(let length, let breaks, let fields):
                let recordLine = line
                let terminated = base[length - 1] == 0x0A
                endsWithoutLineFeed = !terminated
                reader.start += length
                line += breaks
                if fields == 1 && splitter.fields[0].isEmpty {
                    tally.blankLines += 1
                    continue
                }
                tally.records += 1
                guard UTF8Check.isValid(base, length) else {
                    try sink.malformed(.invalidUTF8, line: recordLine)
                    continue
                }
                guard fields == width else {
                    if breaks > (terminated ? 1 : 0) {
                        // A row spanning lines with the wrong width is most likely a stray quote: read the
                        // lines after its first one again.
                        reader.start = reader.lineFeed(from: base - reader.buffer)! + 1
                        line = recordLine + 1
                        endsWithoutLineFeed = false
                    }
                    try sink.malformed(.fieldCount(expected: width, found: fields), line: recordLine)
                    continue
                }
                let f = splitter.fields
                var raw = RawEvent(empty: base)
                raw.user = f[userSlot]
                raw.event = f[eventSlot]
                raw.timestamp = f[timeSlot]
                if accountSlot >= 0 { raw.account = f[accountSlot] }
                if propertiesSlot >= 0 { raw.properties = f[propertiesSlot] }
                if anonymousSlot >= 0 { raw.anonymous = f[anonymousSlot] }
                if typeSlot >= 0 {
                    let type = f[typeSlot]
                    raw.isTrack = type.isEmpty || type.equals("track")
                }
                if raw.isTrack {
                    if raw.event.isEmpty {
                        try sink.malformed(.missing("event"), line: recordLine)
                        continue
                    }
                    if raw.timestamp.isEmpty {
                        try sink.malformed(.missing("timestamp"), line: recordLine)
                        continue
                    }
                }
                try sink.event(&raw, line: recordLine)
            }
        }
        tally.lines = line - 1 + (endsWithoutLineFeed ? 1 : 0)
        tally.bytes = reader.bytesRead
        return tally
    }
}
