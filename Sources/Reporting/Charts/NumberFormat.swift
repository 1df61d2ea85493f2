extension Charts {
    /// Number formatting that depends on nothing but the value: fixed decimals, no locale, a space
    /// between groups of three digits, a true minus sign in labels and never a negative zero.
    enum Number {
        /// A coordinate for an SVG attribute: at most two decimals, trailing zeros dropped, ASCII
        /// minus, `0` for anything not finite (callers filter those before drawing).
        static func coordinate(_ x: Double) -> String {
            guard x.isFinite else { return "0" }
            let (negative, integer, fraction) = digits(x, decimals: 2)
            var text = integer
            if fraction != "00" {
                text += "." + (fraction.hasSuffix("0") ? String(fraction.dropLast()) : fraction)
            }
            return negative ? "-" + text : text
        }

        /// A value for people to read: `decimals` places, digits grouped by three with a space
        /// from 1 000 up, U+2212 for negatives; "n/a" for NaN and infinities.
        static func label(_ x: Double, decimals: Int) -> String {
            guard x.isFinite else { return "n/a" }
            let (negative, integer, fraction) = digits(x, decimals: decimals)
            var text = grouped(integer)
            if decimals > 0 { text += "." + fraction }
            return negative ? "\u{2212}" + text : text
        }

        /// A share in [0, 1] as a percentage, e.g. `0.9456` → "94.6 %".
        static func percent(_ share: Double, decimals: Int = 1) -> String {
            guard share.isFinite else { return "n/a" }
            return label(share * 100, decimals: decimals) + " %"
        }

        /// A count, e.g. `1234` → "1 234".
        static func count(_ n: Int) -> String {
            let text = grouped(String(n.magnitude))
            return n < 0 ? "\u{2212}" + text : text
        }

        /// Splits `x` rounded half away from zero to `decimals` places into sign, integer digits
        /// and exactly `decimals` fraction digits. The sign is dropped when the rounded value is zero.
        static func digits(_ x: Double, decimals: Int) -> (negative: Bool, integer: String, fraction: String) {
            let places = min(max(decimals, 0), 12)
            var scale: Double = 1
            for _ in 0..<places { scale *= 10 }
            let scaled = (x.magnitude * scale).rounded(.toNearestOrAwayFromZero)
            if scaled < 9.0e15 {
                let n = UInt64(scaled)
                let unit = UInt64(scale)
                var fraction = places == 0 ? "" : String(n % unit)
                while fraction.count < places { fraction = "0" + fraction }
                return (x < 0 && n != 0, String(n / unit), fraction)
            }
            // Beyond 2^53 every double is an integer; its decimal digits come from its exact value.
            let integer = x.magnitude.rounded(.toNearestOrAwayFromZero)
            var digits = ""
            var rest = integer
            while rest >= 1 {
                let quotient = (rest / 10).rounded(.down)
                let digit = Int(rest - quotient * 10)
                digits = String(digit) + digits
                rest = quotient
            }
            return (x < 0, digits.isEmpty ? "0" : digits, String(repeating: "0", count: places))
        }

        /// "1234567" → "1 234 567"; four digits are grouped too ("1 234"), as in the report tables.
        static func grouped(_ integer: String) -> String {
            guard integer.count > 3 else { return integer }
            var out = ""
            for (i, c) in integer.enumerated() {
                if i > 0, (integer.count - i) % 3 == 0 { out.append(" ") }
                out.append(c)
            }
            return out
        }

        /// A short, readable value for descriptions: two decimals below 10, one below 100, none above.
        static func summary(_ x: Double) -> String {
            let m = x.magnitude
            return label(x, decimals: m < 10 ? 2 : m < 100 ? 1 : 0)
        }
    }
}
