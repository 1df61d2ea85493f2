/// Measured time from entering a segment until first reaching a target segment: the Kaplan–Meier estimate
/// over users' first entries into the segment, censored at the end of the data (see
/// ``TimeToSegmentCounts``). Unlike the chain's expected days it assumes nothing about how users move.
public struct MeasuredTime: Codable, Sendable, Equatable {
    /// Users who entered the segment, and how many of them reached the target while observed.
    public let entrants: Int
    public let reached: Int
    /// Days until half the entrants have reached the target (the first time the Kaplan–Meier curve is at
    /// or below one half); `nil` when it stays above one half over the data.
    public let medianDays: Double?
    /// Mean days to the target restricted to ``restrictedToDays``: the area under the Kaplan–Meier curve up to
    /// it, the expected min(T, τ).
    public let restrictedMeanDays: Double
    /// τ: the longest time an entrant was followed.
    public let restrictedToDays: Double
    /// The Kaplan–Meier share who reached the target by τ, 1 − Ŝ(τ).
    public let reachedByEnd: Double

    /// - Parameters:
    ///   - events, censored: users reaching the target, and users last seen without reaching it, after
    ///     each number of steps (index = steps).
    ///   - every: days per step.
    /// - Returns: `nil` when nobody entered.
    public init?(events: ArraySlice<Int>, censored: ArraySlice<Int>, every: Int) throws {
        var observations: [SurvivalObservation] = []
        for (offset, (d, c)) in zip(events, censored).enumerated() {
            let time = Double(offset * every)
            observations += Array(repeating: SurvivalObservation(time: time, event: true), count: d)
            observations += Array(repeating: SurvivalObservation(time: time, event: false), count: c)
        }
        guard let tau = observations.last?.time else { return nil }
        let km = try KaplanMeier(observations)
        entrants = observations.count
        reached = events.reduce(0, +)
        medianDays = km.median.estimate
        // The area under the right-continuous step function from 0 to τ.
        var area = 0.0
        var previousTime = 0.0
        var survival = 1.0
        for step in km.steps where step.time <= tau {
            area += survival * (step.time - previousTime)
            previousTime = step.time
            survival = step.survival
        }
        area += survival * (tau - previousTime)
        restrictedMeanDays = area
        restrictedToDays = tau
        reachedByEnd = 1 - km.survival(at: tau)
    }
}
