import UsageModel

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

    static func validate(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        UTF8Validation.firstInvalidByte(p, count) == nil
    }
}
