import CGSL

/// Count, mean, spread and range of a sample, computed by GSL's `gsl_stats_*` functions.
///
/// Conventions: `variance` is the sample variance (divisor n − 1) and is NaN for fewer than two values; an empty
/// sample has NaN mean, min and max. NaNs in the data propagate into the results. Equality treats NaN fields as
/// equal to each other, so `Summary([1]) == Summary([1])`.
public struct Summary: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Sample variance, Σ(x − mean)² / (n − 1).
    public let variance: Double
    /// √variance.
    public let standardDeviation: Double
    public let min: Double
    public let max: Double

    public init(_ values: [Double]) {
        GSL.ensureInitialized()
        count = values.count
        guard !values.isEmpty else {
            mean = .nan
            variance = .nan
            standardDeviation = .nan
            min = .nan
            max = .nan
            return
        }
        let hasNaN = values.contains { $0.isNaN }
        (mean, variance, min, max) = values.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            let n = buffer.count
            let mean = gsl_stats_mean(base, 1, n)
            // gsl_stats_variance divides by n − 1, which is 0 for a single value.
            let variance = n < 2 ? Double.nan : gsl_stats_variance_m(base, 1, n, mean)
            // gsl_stats_min/max compare with < and >, which skip NaN; report NaN explicitly instead.
            let min = hasNaN ? Double.nan : gsl_stats_min(base, 1, n)
            let max = hasNaN ? Double.nan : gsl_stats_max(base, 1, n)
            return (mean, variance, min, max)
        }
        standardDeviation = variance.squareRoot()
    }

    /// Field-wise equality in which two NaNs are equal.
    public static func == (lhs: Summary, rhs: Summary) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return lhs.count == rhs.count && same(lhs.mean, rhs.mean) && same(lhs.variance, rhs.variance)
            && same(lhs.standardDeviation, rhs.standardDeviation) && same(lhs.min, rhs.min)
            && same(lhs.max, rhs.max)
    }

    /// Same as ``Descriptive/quantile(sorted:fraction:)``.
    public static func quantile(sorted: [Double], fraction: Double) -> Double {
        Descriptive.quantile(sorted: sorted, fraction: fraction)
    }

    /// Same as ``Descriptive/median(_:)``.
    public static func median(_ values: [Double]) -> Double {
        Descriptive.median(values)
    }
}

/// Order statistics built on GSL.
public enum Descriptive {
    /// The `fraction` quantile of ascending data, interpolating linearly between order statistics
    /// (`gsl_stats_quantile_from_sorted_data`: index = fraction × (n − 1), the same rule as R's type 7 and NumPy's
    /// default).
    ///
    /// Returns NaN for empty data or a fraction outside [0, 1] (GSL would read outside the array).
    /// - Parameters:
    ///   - sorted: Data sorted ascending; not checked.
    ///   - fraction: In [0, 1]; 0.5 is the median.
    public static func quantile(sorted: [Double], fraction: Double) -> Double {
        GSL.ensureInitialized()
        guard !sorted.isEmpty, fraction >= 0, fraction <= 1 else { return .nan }
        return sorted.withUnsafeBufferPointer { buffer in
            gsl_stats_quantile_from_sorted_data(buffer.baseAddress, 1, buffer.count, fraction)
        }
    }

    /// Median of unsorted data: sorts a copy with `gsl_sort`. NaN if the data are empty or contain NaN.
    public static func median(_ values: [Double]) -> Double {
        GSL.ensureInitialized()
        guard !values.isEmpty, !values.contains(where: { $0.isNaN }) else { return .nan }
        var copy = values
        return copy.withUnsafeMutableBufferPointer { buffer in
            gsl_sort(buffer.baseAddress, 1, buffer.count)
            return gsl_stats_median_from_sorted_data(buffer.baseAddress, 1, buffer.count)
        }
    }
}
