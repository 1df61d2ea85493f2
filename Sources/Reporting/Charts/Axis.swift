import Foundation

extension Charts {
    /// A linear axis with "nice" ticks: steps of 1, 2 or 5 × 10^k, about five intervals over the data.
    ///
    /// The step is the nice number nearest to a fifth of the range (Heckbert, "Nice numbers for graph
    /// labels", Graphics Gems, 1990): 1 below 1.5, 2 below 3, 5 below 7, else 10. Ticks are integer
    /// multiples of the step, rounded to the step's decimals, so 0…1 gives exactly 0, 0.2, …, 1.
    struct Axis: Equatable {
        /// The drawn range.
        let lower: Double
        let upper: Double
        let step: Double
        let ticks: [Double]
        /// Decimals that tell the ticks apart: 0 for a step of 20, 1 for 0.2, 2 for 0.05.
        let decimals: Int

        /// - Parameters:
        ///   - values: the data; NaN and infinities are ignored.
        ///   - includeZero: stretch the range to 0 (bars, counts, stacked areas).
        ///   - fixed: draw exactly this range (0…1 for ROC and calibration) and put the ticks inside it.
        ///   - extendToTicks: round the range out to whole steps; when false the range ends at the data
        ///     (a time axis that should not start before the first day).
        ///   - intervals: how many steps to aim for.
        init(
            covering values: [Double], includeZero: Bool = false, fixed: ClosedRange<Double>? = nil,
            extendToTicks: Bool = true, intervals: Int = 5
        ) {
            let finite = values.filter(\.isFinite)
            var lo: Double
            var hi: Double
            let isFixed = fixed.map { $0.lowerBound.isFinite && $0.upperBound.isFinite && $0.upperBound > $0.lowerBound }
                ?? false
            if isFixed, let fixed {
                lo = fixed.lowerBound
                hi = fixed.upperBound
            } else {
                lo = finite.min() ?? 0
                hi = finite.max() ?? 1
                if includeZero {
                    lo = Swift.min(lo, 0)
                    hi = Swift.max(hi, 0)
                }
                if hi == lo {
                    // One value: an interval around it (or 0…1 around zero) so that it has a place.
                    let half = lo == 0 ? 0.5 : lo.magnitude / 2
                    lo = includeZero && lo >= 0 ? 0 : lo - half
                    hi = includeZero && hi <= 0 ? 0 : hi + half
                    if lo == 0, hi == 0 { hi = 1 }
                }
            }
            let (nice, exponent) = Self.niceStep((hi - lo) / Double(Swift.max(intervals, 1)))
            let decimals = Swift.max(0, -exponent)
            // step = nice × 10^exponent, computed with a division for negative exponents so that
            // 0.2 is the double nearest to 0.2 and not 2 × 0.1 = 0.2000000000000000111.
            func multiple(_ k: Double) -> Double {
                exponent >= 0 ? k * nice * pow(10, Double(exponent)) : k * nice / pow(10, Double(-exponent))
            }
            let step = multiple(1)
            if !isFixed, extendToTicks {
                lo = multiple((lo / step).rounded(.down))
                hi = multiple((hi / step).rounded(.up))
            }
            let first = (lo / step - 1e-9).rounded(.up)
            let last = (hi / step + 1e-9).rounded(.down)
            var ticks: [Double] = []
            if first <= last {
                for k in stride(from: first, through: last, by: 1) {
                    let t = multiple(k)
                    ticks.append(t == 0 ? 0 : t)  // no -0
                }
            }
            self.lower = lo
            self.upper = hi
            self.step = step
            self.ticks = ticks
            self.decimals = decimals
        }

        /// The nice number nearest to `rough`, as a mantissa in {1, 2, 5} (10 is carried into the
        /// exponent) and a power of ten.
        static func niceStep(_ rough: Double) -> (mantissa: Double, exponent: Int) {
            guard rough.isFinite, rough > 0 else { return (1, 0) }
            var exponent = Int(log10(rough).rounded(.down))
            let fraction = rough / pow(10, Double(exponent))
            let mantissa: Double
            switch fraction {
            case ..<1.5: mantissa = 1
            case ..<3: mantissa = 2
            case ..<7: mantissa = 5
            default:
                mantissa = 1
                exponent += 1
            }
            return (mantissa, exponent)
        }

        /// A tick label with the axis's decimals.
        func label(_ value: Double) -> String { Number.label(value, decimals: decimals) }

        /// The pixel position of `value` when the axis spans `from`…`to` pixels.
        func position(_ value: Double, from: Double, to: Double) -> Double {
            from + (value - lower) / (upper - lower) * (to - from)
        }
    }

    /// Which of `count` category or date labels to print so that at most `maxLabels` appear: every
    /// 1st, 2nd, 5th, 10th, 20th, … one, starting with the first.
    static func labelStride(count: Int, maxLabels: Int) -> Int {
        let limit = max(maxLabels, 1)
        var power = 1
        while true {
            for mantissa in [1, 2, 5] where (count + mantissa * power - 1) / (mantissa * power) <= limit {
                return mantissa * power
            }
            power *= 10
        }
    }
}
