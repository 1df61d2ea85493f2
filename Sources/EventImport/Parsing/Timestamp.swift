import UsageModel

/// Timestamps as real exports write them, to milliseconds since 1970-01-01T00:00:00Z.
///
/// Accepted: ISO 8601 / RFC 3339 date-times `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `T`, `t` or a space
/// between date and time, any number of fraction digits (`.` or `,`), and a zone `Z`, `±HH:MM`, `±HHMM`,
/// `±HH` or ` UTC`; without a zone the time is taken as UTC, as warehouses store it. Also epoch numbers:
/// seconds, or milliseconds when above 10¹¹ (10¹¹ seconds is the year 5138, 10¹¹ ms is 1973), with an
/// optional fraction. Everything else, and any date outside the years 1–9999, is invalid.
enum Timestamp {
    static let msPerDay: Int64 = 86_400_000
    /// 9999-12-31T23:59:59.999Z.
    static let maxMillis: Int64 = 253_402_300_799_999
    /// 0001-01-01T00:00:00Z.
    static let minMillis: Int64 = -62_135_596_800_000

    /// The last date seen and its day number: a log's consecutive events mostly share a date, and turning
    /// a date into a day number costs more than the rest of the timestamp.
    struct DateCache {
        var key: UInt64 = 0
        var tail: UInt16 = 0
        var days = Int.min
    }

    @inline(__always)
    static func parse(_ s: ByteSpan) -> Int64? {
        var cache = DateCache()
        return parse(s, cache: &cache)
    }

    @inline(__always)
    static func parse(_ s: ByteSpan, cache: inout DateCache) -> Int64? {
        let n = s.count
        guard n > 0 else { return nil }
        if n >= 10 && s[4] == UInt8(ascii: "-") { return iso(s, cache: &cache) }
        return epoch(s)
    }

    @inline(__always)
    static func day(ofMillis ms: Int64) -> Int64 {
        let d = ms / msPerDay
        return ms % msPerDay < 0 ? d - 1 : d
    }

    @inline(__always)
    private static func digit(_ c: UInt8) -> Int? {
        let d = c &- UInt8(ascii: "0")
        return d < 10 ? Int(d) : nil
    }

    @inline(__always)
    private static func two(_ s: ByteSpan, _ at: Int) -> Int? {
        guard at + 2 <= s.count, let a = digit(s[at]), let b = digit(s[at + 1]) else { return nil }
        return a * 10 + b
    }

    static func iso(_ s: ByteSpan, cache: inout DateCache) -> Int64? {
        let n = s.count
        guard n >= 16 else { return nil }
        let raw = UnsafeRawPointer(s.base)
        let key = raw.loadUnaligned(as: UInt64.self)
        let tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let days: Int
        if key == cache.key && tail == cache.tail && cache.days != Int.min {
            days = cache.days
        } else {
            guard let y1 = two(s, 0), let y2 = two(s, 2), let month = two(s, 5), let day = two(s, 8),
                s[7] == UInt8(ascii: "-"), let date = CivilDate(year: y1 * 100 + y2, month: month, day: day),
                date.year >= 1
            else { return nil }
            days = date.daysSinceEpoch
            cache = DateCache(key: key, tail: tail, days: days)
        }
        let sep = s[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " "),
            let hour = two(s, 11), s[13] == UInt8(ascii: ":"), let minute = two(s, 14),
            hour < 24, minute < 60
        else { return nil }
        var i = 16
        var second = 0
        var millis = 0
        if i < n && s[i] == UInt8(ascii: ":") {
            guard let sec = two(s, i + 1), sec <= 60 else { return nil }
            second = sec
            i += 3
            if i < n && (s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",")) {
                i += 1
                let fractionStart = i
                var scale = 100
                while i < n, let d = digit(s[i]) {
                    millis += d * scale
                    scale /= 10
                    i += 1
                }
                guard i > fractionStart else { return nil }
            }
        }
        var offsetMinutes = 0
        if i < n {
            let z = s[i]
            if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                i += 1
            } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
                guard let oh = two(s, i + 1), oh <= 23 else { return nil }
                i += 3
                var om = 0
                if i < n {
                    if s[i] == UInt8(ascii: ":") { i += 1 }
                    guard let m = two(s, i), m < 60 else { return nil }
                    om = m
                    i += 2
                }
                offsetMinutes = (oh * 60 + om) * (z == UInt8(ascii: "-") ? -1 : 1)
            } else if n - i == 4, s[i] == UInt8(ascii: " "), s[i + 1] == UInt8(ascii: "U"),
                s[i + 2] == UInt8(ascii: "T"), s[i + 3] == UInt8(ascii: "C")
            {
                i += 4
            }
        }
        guard i == n else { return nil }
        let seconds =
            Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            - Int64(offsetMinutes * 60)
        let ms = seconds * 1000 + Int64(millis)
        return ms >= minMillis && ms <= maxMillis ? ms : nil
    }

    /// Epoch seconds or milliseconds; a fraction is kept to the millisecond (truncated), an exponent is not
    /// accepted.
    static func epoch(_ s: ByteSpan) -> Int64? {
        let n = s.count
        var i = 0
        var negative = false
        if s[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        let digitsStart = i
        var whole: Int64 = 0
        while i < n, let d = digit(s[i]) {
            guard i - digitsStart < 16 else { return nil }
            whole = whole * 10 + Int64(d)
            i += 1
        }
        guard i > digitsStart else { return nil }
        var fraction: Int64 = 0
        if i < n && s[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            var scale: Int64 = 100
            while i < n, let d = digit(s[i]) {
                fraction += Int64(d) * scale
                scale /= 10
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        guard i == n else { return nil }
        var ms: Int64
        if whole > 100_000_000_000 || (whole == 100_000_000_000 && fraction > 0) {
            ms = whole
        } else {
            ms = whole * 1000 + fraction
        }
        if negative { ms = -ms }
        return ms >= minMillis && ms <= maxMillis ? ms : nil
    }
}
