public import UsageModel

/// What the command line may change of a scenario for one run.
public struct RunOptions: Sendable {
    public var seed: UInt64?
    public var users: Int?
    public var days: Int?
    public var threads: Int
    /// Output folder; `nil` means `reports/<scenario>/<run-id>/`.
    public var outDirectory: String?
    /// Show a progress line on standard error (only when it is a terminal).
    public var progress: Bool
    /// Seeds to run for the experiment's power: `seed, seed + 1, …` (1: the run alone).
    public var replicates: Int
    /// Simulate only this shard of the population (and of the replicates); `nil` for all.
    public var shard: ShardIndex?

    public init(
        seed: UInt64? = nil, users: Int? = nil, days: Int? = nil, threads: Int = 1, outDirectory: String? = nil,
        progress: Bool = false, replicates: Int = 1
    ) {
        self.seed = seed
        self.users = users
        self.days = days
        self.threads = threads
        self.outDirectory = outDirectory
        self.progress = progress
        self.replicates = replicates
    }

    /// Limits shared by the scenario format and the command line.
    public static let maxUsers = Int(Int32.max)
    public static let maxDays = 3650
    public static let maxThreads = 256
    public static let maxReplicates = 10_000
}

/// One of `count` shards of a run: shard `index` simulates the `index`-th of `count` balanced blocks
/// of whole accounts, and replicates `index + 1, index + 1 + count, …`. Written `I/N`, from 0.
public struct ShardIndex: Sendable, Equatable, Codable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    /// The most shards a run is cut into.
    public static let maxCount = 10_000

    /// `I/N` with `0 ≤ I < N ≤ maxCount`, or nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), (1...Self.maxCount).contains(n),
            (0..<n).contains(i)
        else { return nil }
        index = i
        count = n
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether replicate `r` (1 for seed + 1, …) is this shard's.
    func owns(replicate r: Int) -> Bool { (r - 1) % count == index }
}

/// A run cannot start or could not finish; the command line maps these to exit statuses.
public enum RunError: ExitStatusError, Sendable {
    /// The input is unusable (exit status 2): an option out of range, a run too big for memory.
    case badInput(String)
    /// Something failed while running (exit status 1).
    case failed(String)

    public var description: String {
        switch self {
        case .badInput(let m), .failed(let m): return m
        }
    }

    public var exitStatus: Int32 {
        switch self {
        case .badInput: return 2
        case .failed: return 1
        }
    }
}
