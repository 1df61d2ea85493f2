/// Every random stream of SegmentLab, by what it is for: the one registry of purposes.
///
/// A stream is keyed by (run seed, purpose, user, day) through ``StreamKey/derive(_:_:_:_:)``, so a
/// change in how one purpose draws never shifts another's numbers and a counterfactual run shares
/// every stream it can (DESIGN.md invariant 1). Two purposes with the same value would draw the
/// same numbers; as raw values of one enum they cannot: the compiler rejects a repeated raw value.
/// The values spell their name in ASCII and must never change, or every run's numbers would.
public enum StreamPurpose: UInt64, CaseIterable, Sendable {
    // The population and the day loop.
    /// Personas, accounts, team sizes, sign-up days and initial states (GSL's MT19937).
    case population = 0x504F_5055_4C41  // "POPULA"
    /// Sessions, key actions, features, milestones and NPS answers of a user-day.
    case emission = 0x454D_4953_5349  // "EMISSI"
    /// Trial conversion and plan changes of a user-day.
    case commerce = 0x434F_4D4D_4552  // "COMMER"
    /// The latent-state transition of a user-day.
    case transition = 0x5452_414E_5349  // "TRANSI"
    /// The replicas of a user's churn horizon simulated forward from a cutoff (the oracle).
    case churnForecast = 0x4F52_4143_4C45  // "ORACLE"

    // Campaigns.
    /// A user's experiment arm.
    case arm = 0x4152_4D41_5353  // "ARMASS"
    /// A user's consent per channel.
    case consent = 0x434F_4E53_454E  // "CONSEN"
    /// Delivery, opening and unsubscribing of one send.
    case send = 0x5345_4E44_494E  // "SENDIN"
    /// The score of a survey answered on a user-day.
    case survey = 0x5355_5256_4559  // "SURVEY"

    // The exported event log, apart from the simulator's streams so writing a log never shifts a
    // simulated number.
    /// Times and faults of one user-day's events.
    case events = 0x4556_454E_5453  // "EVENTS"
    /// Which users have a second identity.
    case duplicates = 0x4455_5049_4453  // "DUPIDS"
    /// Keys of the message-id permutation.
    case messageIDs = 0x4D45_5353_4944  // "MESSID"

    // Analysis.
    /// The hashed half of the users a churn model is fitted on.
    case predictionSplit = 0x53_504C_4954  // "SPLIT"

    // Model fitting.
    /// Users' days drawn from a hidden Markov model of engagement (a fit's own simulator).
    case modelSimulation = 0x484D_4D53_494D  // "HMMSIM"
    /// The random starting points of an EM fit.
    case fitStart = 0x454D_5354_5254  // "EMSTRT"
    /// The users drawn, with replacement, for one bootstrap replicate of a fit.
    case bootstrap = 0x424F_4F54_5354  // "BOOTST"
}

extension StreamKey {
    /// ``derive(_:_:_:_:)`` for a registered purpose.
    @inlinable
    public static func derive(_ seed: UInt64, _ purpose: StreamPurpose, _ a: UInt64, _ b: UInt64) -> UInt64 {
        derive(seed, purpose.rawValue, a, b)
    }
}
