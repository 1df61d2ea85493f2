import Foundation
import Stats
public import UsageModel

/// The fixed part of a population: who each user is, where they belong and when they arrive.
public struct PopulationLayout: Sendable {
    public let directory: PopulationDirectory
    /// Persona index of each user.
    public let persona: Column<UInt8>
    /// Persona of each account.
    public let accountPersona: [UInt8]
    /// Latent state each user starts in.
    let initialState: Column<UInt8>

    /// Draws a population for a spec.
    ///
    /// Users are split between personas by the largest-remainder rule, so each persona's count is
    /// within one user of `share × users`. Each persona's users are cut into accounts of sampled
    /// team size (the last one truncated), accounts are shuffled so ids do not reveal personas,
    /// and each account signs up on one day drawn uniformly from the first `signupDays`.
    /// - Complexity: O(users), single-threaded, with GSL's MT19937 stream for (seed, population).
    public init(spec: SimulationSpec) throws {
        let model = spec.model
        let rng = GSLRandom(seed: StreamKey.derive(spec.seed, StreamPurpose.population, 0, 0))
        let counts = PopulationLayout.apportion(total: spec.users, shares: model.personas.map(\.share))

        var accounts: [(persona: UInt8, size: Int)] = []
        for (p, persona) in model.personas.enumerated() {
            var remaining = counts[p]
            let sampler = try TeamSizeSampler(persona.teamSize)
            while remaining > 0 {
                let size = min(sampler.draw(using: rng), remaining)
                accounts.append((UInt8(p), size))
                remaining -= size
            }
        }
        rng.shuffle(&accounts)

        let initial = try model.personas.map { try DiscreteDistribution(weights: $0.initialStates) }
        let account = Column<Int32>(repeating: 0, count: spec.users)
        let signup = Column<Int32>(repeating: 0, count: spec.users)
        let persona = Column<UInt8>(repeating: 0, count: spec.users)
        let state = Column<UInt8>(repeating: 0, count: spec.users)
        var user = 0
        for (a, entry) in accounts.enumerated() {
            let day = Int32(rng.uniformInt(below: spec.signupDays))
            for _ in 0..<entry.size {
                account[user] = Int32(a)
                signup[user] = day
                persona[user] = entry.persona
                state[user] = UInt8(initial[Int(entry.persona)].sample(using: rng))
                user += 1
            }
        }
        directory = PopulationDirectory(
            userCount: spec.users, account: account, signupDay: signup, accountCount: accounts.count,
            featureNames: model.features, milestoneNames: model.milestones.map(\.name),
            planNames: model.commerce.plans.map(\.name), startDate: spec.startDate, days: spec.days)
        self.persona = persona
        accountPersona = accounts.map(\.persona)
        initialState = state
    }

    /// Splits `total` in proportion to `shares` (summing to 1) so the parts sum to `total` exactly.
    static func apportion(total: Int, shares: [Double]) -> [Int] {
        let exact = shares.map { $0 * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { a, b in
            let ra = exact[a] - Double(counts[a])
            let rb = exact[b] - Double(counts[b])
            return ra != rb ? ra > rb : a < b
        }
        var left = total - counts.reduce(0, +)
        var k = 0
        while left > 0 {
            counts[order[k % order.count]] += 1
            left -= 1
            k += 1
        }
        return counts
    }
}

/// Team sizes drawn through GSL.
struct TeamSizeSampler {
    let size: TeamSize
    let poisson: Poisson?
    let lognormal: Lognormal?

    init(_ size: TeamSize) throws {
        self.size = size
        switch size {
        case .fixed:
            poisson = nil
            lognormal = nil
        case .poisson(let mean, _):
            poisson = mean > 1 ? try Poisson(mean: mean - 1) : nil
            lognormal = nil
        case .lognormal(let median, let sigma, _):
            poisson = nil
            lognormal = try Lognormal(zeta: log(median), sigma: sigma)
        }
    }

    func draw(using rng: GSLRandom) -> Int {
        switch size {
        case .fixed(let n):
            return n
        case .poisson(_, let max):
            return min(1 + (poisson?.sample(using: rng) ?? 0), max)
        case .lognormal(_, _, let max):
            // Clamped as a double first: a far tail draw must not overflow the conversion.
            let draw = lognormal!.sample(using: rng).rounded()
            return draw.isNaN ? 1 : Int(Swift.min(Swift.max(1, draw), Double(max)))
        }
    }
}
