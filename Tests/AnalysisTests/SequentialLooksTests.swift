import Analysis
import Testing

/// The daily looks against a recomputation from scratch at every day: the incremental sums must give what each
/// day's users give directly through ``ConfidenceSequence``, ``TwoProportions`` and ``WelchTest`` (themselves
/// tested against gbstats, statsmodels and SciPy).
@Suite("Experiments: sequential looks")
struct SequentialLooksTests {
    /// Users whose outcomes become known over 60 days, more of them in the treatment arm, with an effect that
    /// makes the arms separate part-way through. A small generator keeps the data fixed.
    static func arms(effect: Double, proportion: Bool) -> ([(day: Int, value: Double)], [(day: Int, value: Double)]) {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) * 0x1.0p-53
        }
        func value(_ shift: Double) -> Double {
            proportion ? (uniform() < 0.3 + shift ? 1 : 0) : -3 * (1 + shift) * (1 - uniform()).squareRoot() + 5
        }
        let treatment = (0..<700).map { _ in (day: 10 + Int(uniform() * 60), value: value(effect)) }
        let control = (0..<600).map { _ in (day: 10 + Int(uniform() * 60), value: value(0)) }
        return (treatment, control)
    }

    @Test("every look equals a fresh computation on the users known by its day", arguments: [true, false])
    func looksMatchFreshComputations(proportion: Bool) throws {
        let (treatment, control) = Self.arms(effect: proportion ? 0.15 : 0.08, proportion: proportion)
        let looks = try SequentialLooks(treatment: treatment, control: control, proportion: proportion)
        let planned = treatment.count + control.count
        #expect(looks.plannedSampleSize == planned)
        var sequence: [ConfidenceSequence] = []
        var days: [Int] = []
        var stop: Int?
        var peek: Int?
        for day in Set((treatment + control).map(\.day)).sorted() {
            let t = treatment.filter { $0.day <= day }.map(\.value)
            let c = control.filter { $0.day <= day }.map(\.value)
            guard t.count >= 100, c.count >= 100 else { continue }
            let interval = try ConfidenceSequence(
                treatment: ArmSummary(t), control: ArmSummary(c), plannedSampleSize: planned)
            sequence.append(interval)
            days.append(day)
            if stop == nil, interval.excludesZero { stop = day }
            let p =
                proportion
                ? try TwoProportions(
                    treatmentSuccesses: t.count { $0 > 0 }, treatmentTrials: t.count,
                    controlSuccesses: c.count { $0 > 0 }, controlTrials: c.count
                ).waldPValue
                : try WelchTest(treatment: t, control: c).pValue
            if peek == nil, let p, p < 0.05 { peek = day }
        }
        #expect(looks.looks == days.count && looks.firstLookDay == days.first && looks.lastLookDay == days.last)
        #expect(looks.stoppingDay == stop && looks.peekingStoppingDay == peek)
        let final = try #require(looks.final)
        let fresh = try #require(sequence.last)
        #expect(isNear(final.lower, fresh.lower, relative: 1e-12) && isNear(final.upper, fresh.upper, relative: 1e-12))
        let intersection = try #require(ConfidenceSequence.intersection(of: sequence))
        #expect(isNear(looks.intersectionLower, intersection.lowerBound, relative: 1e-12))
        #expect(isNear(looks.intersectionUpper, intersection.upperBound, relative: 1e-12))
        // The data are made so that something happens: the arms separate, and peeking stops no later.
        let stopped = try #require(looks.stoppingDay)
        #expect(try #require(looks.peekingStoppingDay) <= stopped)
    }

    @Test("no look before each arm has 100 users with an outcome")
    func tooFewUsers() throws {
        let few = (0..<99).map { (day: $0, value: Double($0 % 2)) }
        let looks = try SequentialLooks(treatment: few, control: few + few, proportion: true)
        #expect(looks.looks == 0 && looks.final == nil && looks.stoppingDay == nil && looks.peekingStoppingDay == nil)
    }
}
