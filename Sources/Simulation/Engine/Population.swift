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

    /// The users `users` of this population as a population of their own: columns sliced, accounts
    /// numbered from the block's first, and ``PopulationDirectory/firstUser`` set so every user keeps
    /// the random streams of their index in the whole population. `users` must start and end on
    /// account boundaries, so no account is split.
    public func block(_ users: Range<Int>) -> PopulationLayout {
        let all = directory
        precondition(users.lowerBound >= 0 && users.upperBound <= all.userCount, "block outside the population")
        precondition(
            users.lowerBound == 0 || users.lowerBound == all.userCount
                || all.account[users.lowerBound] != all.account[users.lowerBound - 1],
            "a block must start on an account boundary")
        precondition(
            users.upperBound == 0 || users.upperBound == all.userCount
                || all.account[users.upperBound] != all.account[users.upperBound - 1],
            "a block must end on an account boundary")
        let firstAccount = users.isEmpty ? 0 : Int(all.account[users.lowerBound])
        let accountCount = users.isEmpty ? 0 : Int(all.account[users.upperBound - 1]) - firstAccount + 1
        let block = PopulationDirectory(
            userCount: users.count, account: Column(users.map { all.account[$0] - Int32(firstAccount) }),
            signupDay: Column(users.map { all.signupDay[$0] }), accountCount: accountCount,
            featureNames: all.featureNames, milestoneNames: all.milestoneNames, planNames: all.planNames,
            startDate: all.startDate, days: all.days, firstUser: all.firstUser + users.lowerBound,
            firstAccount: all.firstAccount + firstAccount)
        return PopulationLayout(
            directory: block, persona: Column(users.map { persona[$0] }),
            accountPersona: Array(accountPersona[firstAccount..<(firstAccount + accountCount)]),
            initialState: Column(users.map { initialState[$0] }))
    }

    /// `parts` blocks covering the population in order, each starting on an account boundary and
    /// as close to an equal share of the users as whole accounts allow (an empty block when there are
    /// more parts than accounts).
    public func blocks(parts: Int) -> [Range<Int>] {
        let n = directory.userCount
        var starts = [0]
        for p in 1..<max(1, parts) {
            var cut = max(starts.last!, n * p / parts)
            while cut > 0 && cut < n && directory.account[cut] == directory.account[cut - 1] { cut += 1 }
            starts.append(cut)
        }
        starts.append(n)
        return (0..<max(1, parts)).map { starts[$0]..<starts[$0 + 1] }
    }

    init(directory: PopulationDirectory, persona: Column<UInt8>, accountPersona: [UInt8], initialState: Column<UInt8>) {
        self.directory = directory
        self.persona = persona
        self.accountPersona = accountPersona
        self.initialState = initialState
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
