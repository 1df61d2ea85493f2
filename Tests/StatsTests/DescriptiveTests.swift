import Stats
import Testing

@Suite("Summary and order statistics")
struct DescriptiveTests {
    /// The data set 2, 4, 4, 4, 5, 5, 7, 9 (the standard-deviation example in Wikipedia's "Standard deviation"),
    /// worked by hand: sum 40, mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, sample variance 32/7.
    @Test func summaryOfWorkedExample() {
        let s = Summary([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(s.count == 8)
        #expect(isClose(s.mean, 5, relative: 1e-15))
        #expect(isClose(s.variance, 32.0 / 7.0, relative: 1e-14))
        #expect(isClose(s.standardDeviation, (32.0 / 7.0).squareRoot(), relative: 1e-14))
        #expect(s.min == 2 && s.max == 9)
    }

    @Test func summaryOfTinySamples() {
        let one = Summary([3])
        #expect(one.count == 1 && one.mean == 3 && one.min == 3 && one.max == 3)
        #expect(one.variance.isNaN && one.standardDeviation.isNaN)
        #expect(one == Summary([3]))  // NaN fields compare equal
        let empty = Summary([])
        #expect(empty.count == 0 && empty.mean.isNaN && empty.min.isNaN && empty.max.isNaN)
        #expect(Summary([1, 2]) != Summary([1, 3]))
        #expect(Summary([1, .nan, 3]).min.isNaN)
    }

    @Test func quantileFromSortedData() {
        let sorted: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        // Linear interpolation at index f·(n − 1); numpy.quantile([2,4,4,4,5,5,7,9], [0, .25, .9, 1]) (NumPy 2.4)
        // gives 2, 4, 7.6, 9; by hand, f = 0.9 → index 6.3 → 7 + 0.3·(9 − 7) = 7.6.
        #expect(Descriptive.quantile(sorted: sorted, fraction: 0) == 2)
        #expect(Descriptive.quantile(sorted: sorted, fraction: 0.25) == 4)
        #expect(isClose(Descriptive.quantile(sorted: sorted, fraction: 0.9), 7.6, relative: 1e-14))
        #expect(Descriptive.quantile(sorted: sorted, fraction: 1) == 9)
        #expect(Summary.quantile(sorted: sorted, fraction: 0.5) == 4.5)
        #expect(Descriptive.quantile(sorted: sorted, fraction: 1.5).isNaN)
        #expect(Descriptive.quantile(sorted: [], fraction: 0.5).isNaN)
    }

    @Test func medianSortsACopy() {
        let values: [Double] = [9, 2, 5, 4, 7, 4, 5, 4]
        #expect(Descriptive.median(values) == 4.5)
        #expect(values == [9, 2, 5, 4, 7, 4, 5, 4])
        #expect(Summary.median([3, 1, 2]) == 2)
        #expect(Descriptive.median([]).isNaN)
        #expect(Descriptive.median([1, .nan]).isNaN)
    }
}
