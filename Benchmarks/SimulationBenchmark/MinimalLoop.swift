import Foundation
import Stats
import UsageModel

/// The practical ceiling of a day loop on this machine: the least a behaviour simulation with
/// SegmentLab's shape can do per user and day, written plainly. Each signed-up user takes one
/// Markov step over seven states (a cumulative row, one uniform), draws sessions from a Poisson
/// whose P(0) is known for the state, and five feature uses as Bernoulli draws, all from one
/// SplitMix64 stream per user-day keyed like the simulator's; a 28-day activity ring (a bit per
/// day) and a day count are updated. Users are cut into ranges over the threads, as the
/// simulator does. The day loop of a real scenario is measured against this, in the same process.
struct MinimalLoop {
    static let states = 7
    let users: Int
    let days: Int
    let seed: UInt64

    /// Row-major cumulative transition table: mostly staying, drifting to neighbouring states.
    let cumulative: [Double]
    let sessionMean: [Double]
    let sessionZero: [Double]
    let featureProbability: [Double]

    init(users: Int, days: Int, seed: UInt64) {
        self.users = users
        self.days = days
        self.seed = seed
        let s = Self.states
        var table: [Double] = []
        for i in 0..<s {
            var row = [Double](repeating: 0.01 / Double(s - 1), count: s)
            row[i] = 0.90
            row[(i + 1) % s] += 0.05
            row[(i + s - 1) % s] += 0.04
            let total = row.reduce(0, +)
            var running = 0.0
            for j in 0..<s {
                running += row[j] / total
                table.append(j == s - 1 ? 1 : running)
            }
        }
        cumulative = table
        sessionMean = (0..<s).map { 0.2 + 0.5 * Double($0) }
        sessionZero = sessionMean.map { Foundation.exp(-$0) }
        featureProbability = (0..<s).map { 0.05 + 0.1 * Double($0) }
    }

    /// Runs every day for every user; returns user-days simulated and a checksum of the state,
    /// so the work cannot be optimised away.
    func run(threads: Int) -> (userDays: Int, checksum: UInt64) {
        var state = [UInt8](repeating: 0, count: users)
        var ring = [UInt32](repeating: 0, count: users)
        var activeDays = [UInt16](repeating: 0, count: users)
        let ranges = UserRanges.split(users: users, parts: threads)
        let s = Self.states
        cumulative.withUnsafeBufferPointer { cumulative in
            state.withUnsafeMutableBufferPointer { state in
                ring.withUnsafeMutableBufferPointer { ring in
                    activeDays.withUnsafeMutableBufferPointer { activeDays in
                        for day in 0..<days {
                            UserRanges.forEach(ranges) { _, range in
                                for u in range {
                                    var g = SplitMix64(
                                        seed: StreamKey.derive(seed, StreamPurpose.emission, UInt64(u), UInt64(day)))
                                    let current = Int(state[u])
                                    let sessions = FastSampler.poisson(
                                        mean: sessionMean[current], probabilityOfZero: sessionZero[current], using: &g)
                                    var features: UInt8 = 0
                                    for f in 0..<5
                                    where sessions > 0 && FastSampler.bernoulli(featureProbability[current], using: &g)
                                    {
                                        features |= 1 << UInt8(f)
                                    }
                                    let active: UInt32 = sessions > 0 || features != 0 ? 1 : 0
                                    let dropped = ring[u] >> 27 & 1
                                    ring[u] = (ring[u] << 1 | active) & 0x0FFF_FFFF
                                    activeDays[u] = activeDays[u] &+ UInt16(active) &- UInt16(dropped)
                                    let row = UnsafeBufferPointer(
                                        rebasing: cumulative[(current * s)..<(current * s + s)])
                                    state[u] = UInt8(FastSampler.categorical(cumulative: row, using: &g))
                                }
                            }
                        }
                    }
                }
            }
        }
        var checksum: UInt64 = 0
        for u in 0..<users { checksum = checksum &* 31 &+ UInt64(state[u]) &+ UInt64(activeDays[u]) << 8 }
        return (users * days, checksum)
    }
}
