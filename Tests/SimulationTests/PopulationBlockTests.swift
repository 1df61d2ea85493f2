import Testing
import UsageModel

@testable import Simulation

/// Keeps every user's sessions, key actions and features of every day, by index in the whole
/// population.
private final class UsageCapture: DayObserver {
    var firstUser = 0
    var rows: [[UInt64]] = []

    func daysWillStart(_ population: PopulationDirectory) throws { firstUser = population.firstUser }

    func dayDidEnd(_ usage: UsageDay) throws {
        rows.append(
            (0..<usage.sessions.count).map { u in
                UInt64(usage.sessions[u]) << 48 | UInt64(usage.keyActions[u]) << 32 | UInt64(usage.features[u])
            })
    }
}

@Suite("A block of a population")
struct PopulationBlockTests {
    @Test("blocks start on account boundaries and split the users as evenly as whole accounts allow")
    func blocksFollowAccounts() throws {
        let layout = try PopulationLayout(spec: TestModels.small(users: 5_000, days: 10))
        let account = layout.directory.account
        for parts in [1, 2, 3, 8] {
            let blocks = layout.blocks(parts: parts)
            #expect(blocks.count == parts)
            #expect(blocks.first?.lowerBound == 0 && blocks.last?.upperBound == 5_000)
            for (a, b) in zip(blocks, blocks.dropFirst()) {
                #expect(a.upperBound == b.lowerBound)
                #expect(account[b.lowerBound] != account[b.lowerBound - 1])
            }
            // The team persona's accounts have at most 40 users: no block is further from its share.
            for (p, block) in blocks.enumerated() {
                #expect(abs(block.lowerBound - 5_000 * p / parts) < 40)
            }
        }
    }

    @Test("a block's users live exactly the days they live in a run of the whole population")
    func blocksEqualWhole() throws {
        let spec = TestModels.small(users: 3_000, days: 40, signupDays: 10)
        let whole = try Simulator(spec: spec, threads: 2)
        let wholeUsage = UsageCapture()
        let wholeMetrics = try whole.run(observers: [wholeUsage])
        var summed = wholeMetrics.map { DayMetrics(day: $0.day, stateCount: $0.usersByState.count) }
        var compared = 0
        for block in whole.layout.blocks(parts: 3) {
            let part = try Simulator(spec: spec, threads: 1, block: block)
            #expect(part.directory.firstUser == block.lowerBound)
            #expect(part.directory.userCount == block.count)
            let usage = UsageCapture()
            let metrics = try part.run(observers: [usage])
            for day in 0..<spec.days {
                for u in 0..<block.count {
                    let g = block.lowerBound + u
                    #expect(usage.rows[day][u] == wholeUsage.rows[day][g])
                    #expect(part.truth.state(user: u, day: day) == whole.truth.state(user: g, day: day))
                    #expect(part.truth.habitLevel(user: u, day: day) == whole.truth.habitLevel(user: g, day: day))
                    compared += 1
                }
                summed[day].add(metrics[day])
            }
        }
        #expect(compared == 3_000 * 40)
        #expect(summed == wholeMetrics)
    }
}
