/// UTF-8 validation of a whole record, with a fast path for ASCII (every log SegmentLab writes is ASCII).
enum UTF8Check {
    @inline(__always)
    static func isValid(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        var high: UInt64 = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            high |= UInt64(p[i])
            i += 1
        }
        if high & 0x8080_8080_8080_8080 == 0 { return true }
        return validate(p, count)
    }

    /// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
    static func validate(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i < count {
            let b = p[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0:
                need = 2
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED:
                need = 2
                upper = 0x9F
            case 0xF0:
                need = 3
                lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4:
                need = 3
                upper = 0x8F
            default: return false
            }
            guard i + need < count else { return false }
            let second = p[i + 1]
            guard second >= lower, second <= upper else { return false }
            var k = 2
            while k <= need {
                guard p[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }
}
