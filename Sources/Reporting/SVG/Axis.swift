import Foundation
import UsageModel

/// A linear scale with "nice" ticks: steps of 1, 2 or 5 × 10^k, about `count` of them, covering the data.
struct Axis {
    let lower: Double
    let upper: Double
    let ticks: [Double]

    /// - Parameters:
    ///   - fixed: use exactly this range (e.g. 0…1 for rates) instead of rounding out the data's.
    init(values: [Double], includeZero: Bool = true, fixed: ClosedRange<Double>? = nil, count: Int = 5) {
        let finite = values.filter(\.isFinite)
        var lo = fixed?.lowerBound ?? (finite.min() ?? 0)
        var hi = fixed?.upperBound ?? (finite.max() ?? 1)
        if includeZero, fixed == nil {
            lo = min(lo, 0)
            hi = max(hi, 0)
        }
        if hi <= lo { hi = lo + 1 }
        let step = Self.niceStep((hi - lo) / Double(max(1, count)))
        if fixed == nil {
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        lower = lo
        upper = hi
        var ticks: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        self.ticks = ticks
    }

    /// The nice number nearest to `rough`: Heckbert, "Nice numbers for graph labels", Graphics
    /// Gems (1990) — 1 below 1.5, 2 below 3, 5 below 7, else 10, times the power of ten.
    static func niceStep(_ rough: Double) -> Double {
        let power = pow(10, (log10(rough)).rounded(.down))
        let fraction = rough / power
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * power
    }

    /// Position of `x` in a pixel range.
    func map(_ x: Double, _ from: Double, _ to: Double) -> Double {
        from + (x - lower) / (upper - lower) * (to - from)
    }

    /// A tick label: integers without decimals, others with as few as the step needs.
    func label(_ x: Double) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let places = step >= 1 ? 0 : Int((-log10(step)).rounded(.up))
        let text = DecimalText.fixed(x, places)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
