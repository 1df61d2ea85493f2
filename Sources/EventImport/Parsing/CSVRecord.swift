/// How a CSV record ended.
enum CSVOutcome {
    /// A whole record: `length` bytes from its start including the line break, `lineBreaks` line breaks
    /// consumed (embedded ones and the terminating one), `fields` fields.
    case record(length: Int, lineBreaks: Int, fields: Int)
    /// The buffer ends inside the record and the file goes on.
    case needMore
    /// The record breaks RFC 4180 in a way that leaves its end uncertain.
    case malformed(MalformedReason)
}

/// Splits RFC 4180 records: fields separated by commas, records by LF or CRLF, fields in double quotes
/// holding commas, line breaks and doubled quotes.
///
/// Field values are spans: of the input when a field needs no unescaping, of the scratch buffer when a
/// quoted field holds a doubled quote. Only the first ``capacity`` fields are kept; the rest are counted.
final class CSVRecordSplitter {
    let capacity: Int
    let fields: UnsafeMutablePointer<ByteSpan>
    let scratch: Scratch

    init(capacity: Int, scratch: Scratch) {
        self.capacity = capacity
        self.scratch = scratch
        fields = UnsafeMutablePointer<ByteSpan>.allocate(capacity: capacity)
    }

    deinit {
        fields.deallocate()
    }

    /// Splits the record starting at `p[0]` with `available` bytes in the buffer; `atEOF` says whether more
    /// can come.
    @inline(__always)
    func split(_ p: UnsafePointer<UInt8>, available: Int, atEOF: Bool) -> CSVOutcome {
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let lf = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r")
        var i = 0
        var field = 0
        var breaks = 0
        while true {
            // At the start of a field.
            if i < available && p[i] == quote {
                i += 1
                var segment = i
                var copied = -1
                while true {
                    i = CSVRecordSplitter.next(quote, lf, in: p, from: i, to: available)
                    while i < available && p[i] == lf {
                        breaks += 1
                        i = CSVRecordSplitter.next(quote, lf, in: p, from: i + 1, to: available)
                    }
                    if i == available {
                        return atEOF ? .malformed(.unterminatedQuote) : .needMore
                    }
                    // On a quote: doubled, or the closing one.
                    if i + 1 == available && !atEOF { return .needMore }
                    if i + 1 < available && p[i + 1] == quote {
                        if copied < 0 { copied = scratch.used }
                        scratch.append(p + segment, i + 1 - segment)
                        i += 2
                        segment = i
                        continue
                    }
                    break
                }
                let value: ByteSpan
                if copied >= 0 {
                    scratch.append(p + segment, i - segment)
                    value = scratch.span(from: copied)
                } else {
                    value = ByteSpan(base: p + segment, count: i - segment)
                }
                i += 1
                if field < capacity { fields[field] = value }
                field += 1
                if i == available {
                    if !atEOF { return .needMore }
                    return .record(length: i, lineBreaks: breaks, fields: field)
                }
                let c = p[i]
                if c == comma {
                    i += 1
                    continue
                }
                if c == lf { return .record(length: i + 1, lineBreaks: breaks + 1, fields: field) }
                if c == cr {
                    if i + 1 == available && !atEOF { return .needMore }
                    if i + 1 < available && p[i + 1] == lf {
                        return .record(length: i + 2, lineBreaks: breaks + 1, fields: field)
                    }
                }
                // A quoted field that ran over a line break and then closed badly most likely never closed.
                return .malformed(breaks > 0 ? .unterminatedQuote : .textAfterClosingQuote)
            }
            // An unquoted field runs to the next comma or line break.
            let start = i
            i = CSVRecordSplitter.next(comma, lf, quote, in: p, from: i, to: available)
            if i < available && p[i] == quote { return .malformed(.quoteInUnquotedField) }
            if i == available && !atEOF { return .needMore }
            var stop = i
            let atComma = i < available && p[i] == comma
            if !atComma && stop > start && p[stop - 1] == cr { stop -= 1 }
            if field < capacity { fields[field] = ByteSpan(base: p + start, count: stop - start) }
            field += 1
            if atComma {
                i += 1
                continue
            }
            if i == available { return .record(length: i, lineBreaks: breaks, fields: field) }
            return .record(length: i + 1, lineBreaks: breaks + 1, fields: field)
        }
    }

    /// Bytes equal to `b` become 0x80 in their lane of the result's lowest set bit: eight bytes per step.
    @inline(__always)
    private static func lanes(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (0x0101_0101_0101_0101 &* UInt64(b))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Index of the first byte equal to `a` or `b` in `p[from..<to]`, or `to`.
    @inline(__always)
    static func next(_ a: UInt8, _ b: UInt8, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        while i + 8 <= to {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let m = lanes(w, a) | lanes(w, b)
            if m != 0 { return i + (m.trailingZeroBitCount >> 3) }
            i += 8
        }
        while i < to && p[i] != a && p[i] != b { i += 1 }
        return i
    }

    /// Index of the first byte equal to `a`, `b` or `c` in `p[from..<to]`, or `to`.
    @inline(__always)
    static func next(_ a: UInt8, _ b: UInt8, _ c: UInt8, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        while i + 8 <= to {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let m = lanes(w, a) | lanes(w, b) | lanes(w, c)
            if m != 0 { return i + (m.trailingZeroBitCount >> 3) }
            i += 8
        }
        while i < to && p[i] != a && p[i] != b && p[i] != c { i += 1 }
        return i
    }
}
