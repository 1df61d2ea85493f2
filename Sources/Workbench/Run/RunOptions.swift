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
