/// A JSON syntax error: what was expected and the byte offset in the scanned text.
struct JSONError: Error {
    let message: StaticString
    let offset: Int
}

/// What a scalar JSON value was, for matching property values.
enum JSONKind: UInt8 {
    case absent, string, number, literal, null, object, array
}

/// A hand-written JSON scanner over bytes: strict RFC 8259 syntax, strings decoded (escapes and
/// `\uXXXX` with surrogate pairs) only when they hold an escape, nested values skipped without building
/// anything. Reading a Segment message costs no allocation.
struct JSONCursor {
    let p: UnsafePointer<UInt8>
    let end: Int
    var i: Int
    let scratch: Scratch

    static let maxDepth = 64

    @inline(__always)
    init(_ p: UnsafePointer<UInt8>, count: Int, scratch: Scratch) {
        self.p = p
        self.end = count
        self.i = 0
        self.scratch = scratch
    }

    @inline(__always)
    var atEnd: Bool { i >= end }

    @inline(__always)
    var current: UInt8 { i < end ? p[i] : 0 }

    @inline(__always)
    mutating func skipSpace() {
        while i < end {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    @inline(__always)
    func fail(_ message: StaticString) -> JSONError { JSONError(message: message, offset: i) }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ message: StaticString) throws(JSONError) {
        guard i < end, p[i] == byte else { throw fail(message) }
        i += 1
    }

    // MARK: - Strings

    /// Reads the string at the cursor (which is on its opening quote) and returns its decoded bytes:
    /// a span of the input when it holds no escape, else of the scratch buffer.
    @inline(__always)
    mutating func string() throws(JSONError) -> ByteSpan {
        i += 1
        let start = i
        i = JSONCursor.stringStop(p, from: i, to: end)
        if i < end && p[i] == 0x22 {
            i += 1
            return ByteSpan(base: p + start, count: i - 1 - start)
        }
        return try decodeEscaped(from: start)
    }

    /// Index of the first `"`, `\` or control character in `p[from..<to]`, or `to`; eight bytes a step.
    @inline(__always)
    static func stringStop(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= to {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let q = w ^ (ones &* 0x22)
            let b = w ^ (ones &* 0x5C)
            let m = ((q &- ones) & ~q | (b &- ones) & ~b | (w &- ones &* 0x20) & ~w) & highs
            if m != 0 { return i + (m.trailingZeroBitCount >> 3) }
            i += 8
        }
        while i < to {
            let c = p[i]
            if c == 0x22 || c == 0x5C || c < 0x20 { return i }
            i += 1
        }
        return to
    }

    private mutating func decodeEscaped(from start: Int) throws(JSONError) -> ByteSpan {
        let out = scratch.used
        scratch.append(p + start, i - start)
        while i < end {
            let c = p[i]
            if c == 0x22 {
                i += 1
                return scratch.span(from: out)
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c != 0x5C {
                scratch.append(c)
                i += 1
                continue
            }
            let escape = i
            i += 1
            guard i < end else { break }
            let e = p[i]
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                do throws(JSONError) {
                    try unicodeEscape()
                } catch {
                    throw JSONError(message: error.message, offset: escape)
                }
            default:
                throw JSONError(message: "invalid escape in a string", offset: escape)
            }
        }
        throw fail("unterminated string")
    }

    /// After `\u`: four hex digits, a surrogate pair when the first is a high surrogate; appends UTF-8.
    private mutating func unicodeEscape() throws(JSONError) {
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
            guard i + 1 < end, p[i] == 0x5C, p[i + 1] == UInt8(ascii: "u") else {
                throw fail("unpaired surrogate in a \\u escape")
            }
            i += 2
            let low = try hex4()
            guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("unpaired surrogate in a \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
            throw fail("unpaired surrogate in a \\u escape")
        }
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard i + 4 <= end else { throw fail("\\u needs four hex digits") }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("\\u needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        i += 4
        return value
    }

    /// Skips a string without decoding it, still checking its escapes.
    private mutating func skipString() throws(JSONError) {
        i += 1
        while i < end {
            i = JSONCursor.stringStop(p, from: i, to: end)
            guard i < end else { break }
            let c = p[i]
            if c == 0x22 {
                i += 1
                return
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c == 0x5C {
                guard i + 1 < end else { break }
                switch p[i + 1] {
                case 0x22, 0x5C, 0x2F, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
                    UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    i += 2
                    _ = try hex4()
                default:
                    throw fail("invalid escape in a string")
                }
                continue
            }
            i += 1
        }
        throw fail("unterminated string")
    }

    // MARK: - Other values

    /// Reads the number at the cursor and returns its text.
    mutating func number() throws(JSONError) -> ByteSpan {
        let start = i
        if current == UInt8(ascii: "-") { i += 1 }
        if current == UInt8(ascii: "0") {
            i += 1
        } else if isDigit(current) {
            while isDigit(current) { i += 1 }
        } else {
            throw fail("invalid number")
        }
        if current == UInt8(ascii: ".") {
            i += 1
            guard isDigit(current) else { throw fail("invalid number") }
            while isDigit(current) { i += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            guard isDigit(current) else { throw fail("invalid number") }
            while isDigit(current) { i += 1 }
        }
        return ByteSpan(base: p + start, count: i - start)
    }

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    private mutating func literal(_ text: StaticString) throws(JSONError) {
        let n = text.utf8CodeUnitCount
        guard i + n <= end, ByteSpan(base: p + i, count: n).equals(text) else { throw fail("invalid literal") }
        i += n
    }

    /// Reads a value: scalars come back with their text (a string decoded), objects and arrays are
    /// skipped and come back as the span of their source text.
    mutating func value(depth: Int = 0) throws(JSONError) -> (JSONKind, ByteSpan) {
        guard i < end else { throw fail("expected a value") }
        let start = i
        switch p[i] {
        case 0x22:
            return (.string, try string())
        case UInt8(ascii: "{"):
            try skipObject(depth: depth + 1)
            return (.object, ByteSpan(base: p + start, count: i - start))
        case UInt8(ascii: "["):
            try skipArray(depth: depth + 1)
            return (.array, ByteSpan(base: p + start, count: i - start))
        case UInt8(ascii: "t"):
            try literal("true")
            return (.literal, ByteSpan(base: p + start, count: 4))
        case UInt8(ascii: "f"):
            try literal("false")
            return (.literal, ByteSpan(base: p + start, count: 5))
        case UInt8(ascii: "n"):
            try literal("null")
            return (.null, ByteSpan(base: p + start, count: 4))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return (.number, try number())
        default:
            throw fail("expected a value")
        }
    }

    /// Skips any value, checking its syntax.
    mutating func skipValue(depth: Int = 0) throws(JSONError) {
        guard i < end else { throw fail("expected a value") }
        switch p[i] {
        case 0x22: try skipString()
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw fail("expected a value")
        }
    }

    private mutating func skipObject(depth: Int) throws(JSONError) {
        guard depth <= JSONCursor.maxDepth else { throw fail("nested deeper than 64 levels") }
        i += 1
        skipSpace()
        if current == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            guard current == 0x22 else { throw fail("expected a member name") }
            try skipString()
            skipSpace()
            try expect(UInt8(ascii: ":"), "expected ':'")
            skipSpace()
            try skipValue(depth: depth)
            skipSpace()
            if current == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                continue
            }
            try expect(UInt8(ascii: "}"), "expected ',' or '}'")
            return
        }
    }

    private mutating func skipArray(depth: Int) throws(JSONError) {
        guard depth <= JSONCursor.maxDepth else { throw fail("nested deeper than 64 levels") }
        i += 1
        skipSpace()
        if current == UInt8(ascii: "]") {
            i += 1
            return
        }
        while true {
            try skipValue(depth: depth)
            skipSpace()
            if current == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                continue
            }
            try expect(UInt8(ascii: "]"), "expected ',' or ']'")
            return
        }
    }

    /// Visits the members of the object at the cursor: `body` gets each name and must consume its value.
    @inline(__always)
    mutating func members(_ body: (inout JSONCursor, ByteSpan) throws(JSONError) -> Void) throws(JSONError) {
        try expect(UInt8(ascii: "{"), "expected '{'")
        skipSpace()
        if current == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            guard current == 0x22 else { throw fail("expected a member name") }
            let name = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"), "expected ':'")
            skipSpace()
            try body(&self, name)
            skipSpace()
            if current == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                continue
            }
            try expect(UInt8(ascii: "}"), "expected ',' or '}'")
            return
        }
    }
}
