/// Reads JSON Lines of Segment messages: one object per line, members in any order.
enum JSONLReader {
    /// A JSON Lines file being read line by line, from its start or from a later line.
    struct File: RowReader {
        let reader: LogFileReader
        let scratch: Scratch
        let maxRecord: Int
        private var tally = FileTally()
        private(set) var line = 1
        private var searchFrom: Int

        /// Reads the byte-order mark of the file `reader` starts at.
        init(opening reader: LogFileReader, scratch: Scratch, maxRecord: Int) throws {
            try reader.skipByteOrderMark()
            if reader.available == 0 && reader.atEOF { throw EventImportError.emptyFile(path: reader.path) }
            self.init(reader: reader, scratch: scratch, maxRecord: maxRecord)
        }

        /// The lines from where `reader` starts, a line of the file that `header` opened; lines are counted from 1
        /// there.
        init(continuing reader: LogFileReader, header: File, scratch: Scratch) {
            self.init(reader: reader, scratch: scratch, maxRecord: header.maxRecord)
        }

        private init(reader: LogFileReader, scratch: Scratch, maxRecord: Int) {
            self.reader = reader
            self.scratch = scratch
            self.maxRecord = maxRecord
            searchFrom = reader.start
        }

        var position: Int { reader.position }

        /// Reads lines to the end of the file, or until a line would start at or past the offset `stop`.
        mutating func readRows(until stop: Int? = nil, into sink: inout some EventSink) throws {
            let stop = stop ?? Int.max
            while reader.position < stop {
                if let k = reader.lineFeed(from: searchFrom) {
                    try take(k - reader.start, into: &sink)
                    reader.start = k + 1
                    searchFrom = reader.start
                    line += 1
                    tally.lines += 1
                    continue
                }
                if reader.atEOF {
                    let length = reader.available
                    if length > 0 {
                        tally.lines += 1
                        try take(length, into: &sink)
                        reader.start = reader.end
                    }
                    break
                }
                if reader.available > maxRecord {
                    try sink.malformed(.lineTooLong, line: line)
                    tally.records += 1
                    tally.lines += 1
                    line += 1
                    _ = try reader.discardThroughLineFeed()
                    searchFrom = reader.start
                    continue
                }
                let scanned = reader.end - reader.start
                try reader.refill()
                searchFrom = reader.start + scanned
            }
        }

        /// The line of `length` bytes at the reader's start: malformed when longer than the limit, else parsed.
        @inline(__always)
        private mutating func take(_ length: Int, into sink: inout some EventSink) throws {
            if length > maxRecord {
                try sink.malformed(.lineTooLong, line: line)
                tally.records += 1
            } else {
                try handle(
                    reader.buffer + reader.start, length, line: line, scratch: scratch, tally: &tally, sink: &sink)
            }
        }

        func finished() -> FileTally {
            var tally = tally
            tally.bytes = reader.bytesRead
            return tally
        }
    }

    @inline(__always)
    private static func handle(
        _ p: UnsafePointer<UInt8>, _ length: Int, line: Int, scratch: Scratch, tally: inout FileTally,
        sink: inout some EventSink
    ) throws {
        var n = length
        while n > 0 && (p[n - 1] == 0x0D || p[n - 1] == 0x20 || p[n - 1] == 0x09) { n -= 1 }
        var first = 0
        while first < n && (p[first] == 0x20 || p[first] == 0x09) { first += 1 }
        if first == n {
            tally.blankLines += 1
            return
        }
        tally.records += 1
        scratch.reset()
        var raw = RawEvent(empty: p)
        do throws(MalformedReason) {
            guard UTF8Check.isValid(p, n) else { throw .invalidUTF8 }
            try parse(p, n, scratch: scratch, into: &raw)
        } catch {
            try sink.malformed(error, line: line)
            return
        }
        try sink.event(&raw, line: line)
    }

    /// Reads the members SegmentLab uses from one message; the others are checked and skipped.
    static func parse(_ p: UnsafePointer<UInt8>, _ n: Int, scratch: Scratch, into raw: inout RawEvent)
        throws(MalformedReason)
    {
        var c = JSONCursor(p, count: n, scratch: scratch)
        c.skipSpace()
        guard c.current == UInt8(ascii: "{") else { throw .notAnObject }
        var problem: MalformedReason?
        var group = ByteSpan(base: p, count: 0)
        var contextGroup = group
        var sawUserId = false
        var sawTimestamp = false
        do throws(JSONError) {
            try c.members { c, name throws(JSONError) in
                @inline(__always)
                func text(_ field: String, numbers: Bool) throws(JSONError) -> ByteSpan? {
                    let (kind, value) = try c.value()
                    switch kind {
                    case .string: return value
                    case .null: return ByteSpan(base: p, count: 0)
                    case .number where numbers: return value
                    default:
                        if problem == nil {
                            problem = .wrongType(field, expected: numbers ? "a string or a number" : "a string")
                        }
                        return nil
                    }
                }
                switch name.count {
                case 4 where name.equals("type"):
                    if let v = try text("type", numbers: false), !v.isEmpty { raw.isTrack = v.equals("track") }
                case 5 where name.equals("event"):
                    if let v = try text("event", numbers: false) { raw.event = v }
                case 6 where name.equals("userId"):
                    if let v = try text("userId", numbers: true) {
                        raw.user = v
                        sawUserId = true
                    }
                case 7 where name.equals("user_id"):
                    if let v = try text("user_id", numbers: true), !sawUserId { raw.user = v }
                case 7 where name.equals("groupId"):
                    if let v = try text("groupId", numbers: true) { group = v }
                case 7 where name.equals("context"):
                    if c.current == UInt8(ascii: "{") {
                        try c.members { c, inner throws(JSONError) in
                            if inner.equals("groupId") {
                                let (kind, value) = try c.value(depth: 1)
                                if kind == .string || kind == .number { contextGroup = value }
                            } else {
                                try c.skipValue(depth: 1)
                            }
                        }
                    } else {
                        try c.skipValue()
                    }
                case 9 where name.equals("timestamp"):
                    let (kind, value) = try c.value()
                    switch kind {
                    case .string, .number:
                        raw.timestamp = value
                        sawTimestamp = true
                    case .null: break
                    default: if problem == nil { problem = .wrongType("timestamp", expected: "a string or a number") }
                    }
                case 10 where name.equals("properties"):
                    let (kind, value) = try c.value()
                    switch kind {
                    case .object:
                        raw.properties = value
                        raw.propertiesChecked = true
                    case .null: break
                    default: if problem == nil { problem = .wrongType("properties", expected: "an object") }
                    }
                case 11 where name.equals("anonymousId"):
                    if let v = try text("anonymousId", numbers: true) { raw.anonymous = v }
                default:
                    try c.skipValue()
                }
            }
            c.skipSpace()
            if !c.atEnd { throw c.fail("text after the object") }
        } catch {
            throw .invalidJSON(String(describing: error.message), column: error.offset + 1)
        }
        if let problem { throw problem }
        raw.account = group.isEmpty ? contextGroup : group
        if raw.isTrack {
            if raw.event.isEmpty { throw .missing("event") }
            if !sawTimestamp || raw.timestamp.isEmpty { throw .missing("timestamp") }
        }
    }
}
