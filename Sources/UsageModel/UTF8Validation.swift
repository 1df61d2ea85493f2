/// RFC 3629 validation, for every reader of outside text (event logs, YAML files): no overlong
/// forms, no surrogates, nothing above U+10FFFF.
public enum UTF8Validation {
    /// The offset of the first byte that does not belong to a well-formed sequence, or `nil` when all
    /// `count` bytes are valid UTF-8.
    @inlinable
    public static func firstInvalidByte(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
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
            default: return i
            }
            guard i + need < count else { return i }
            let second = p[i + 1]
            guard second >= lower, second <= upper else { return i }
            var k = 2
            while k <= need {
                guard p[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += need + 1
        }
        return nil
    }
}
