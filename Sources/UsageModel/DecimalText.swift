import Foundation

/// Numbers as text without locale, the same bytes on every machine: every number SegmentLab
/// prints in a report, a chart or a CSV file goes through here.
public enum DecimalText {
    /// `x` with exactly `places` digits after the point, rounded half away from zero.
    public static func fixed(_ x: Double, _ places: Int) -> String {
        guard x.isFinite else { return String(x) }
        // Beyond 2^53 a double holds no fraction, and the integer path below would overflow.
        guard abs(x) < 9.0e15 else { return String(format: "%.\(places)f", x) }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        let negative = x < 0 && scaled > 0
        let whole = Int(scaled / scale)
        var text = String(whole)
        if places > 0 {
            var frac = String(Int(scaled - Double(whole) * scale))
            while frac.count < places { frac = "0" + frac }
            text += "." + frac
        }
        return negative ? "-" + text : text
    }
}
