/// The kinds of event in a log. Milestone events form one kind, whatever milestone names them.
public enum EventKind: Int, CaseIterable, Sendable {
    case signedUp
    case trialStarted
    case subscriptionStarted
    case sessionStarted
    case keyAction
    case featureUsed
    case milestone
    case npsSubmitted
    case trialEnded
    case planChanged
    case subscriptionCancelled
    /// A usage cap of the plan held the user back (key actions, or a feature's days of use).
    case capReached
    /// The user tried a feature their plan does not include.
    case premiumAttempted

    /// The `event` value written to the log; `nil` for milestones, which carry the milestone's name.
    public var eventName: String? {
        switch self {
        case .signedUp: return "signed_up"
        case .trialStarted: return "trial_started"
        case .subscriptionStarted: return "subscription_started"
        case .sessionStarted: return "session_started"
        case .keyAction: return "key_action"
        case .featureUsed: return "feature_used"
        case .milestone: return nil
        case .npsSubmitted: return "nps_submitted"
        case .trialEnded: return "trial_ended"
        case .planChanged: return "plan_changed"
        case .subscriptionCancelled: return "subscription_cancelled"
        case .capReached: return "cap_reached"
        case .premiumAttempted: return "premium_attempted"
        }
    }
}

/// What happened to the events of one kind on their way to the log.
///
/// Every generated event ends in exactly one of `lost`, `written` and `lateBeyondHorizon`;
/// `late` and `duplicateID` are parts of `written`.
public struct EventCounts: Sendable, Equatable {
    public var generated = 0
    /// Dropped by the `lostEvents` fault.
    public var lost = 0
    public var written = 0
    /// Written with a delayed `received_at` (a part of `written`).
    public var late = 0
    /// Delayed past the end of the last simulated day, so never written.
    public var lateBeyondHorizon = 0
    /// Written under the user's second (`d`-prefixed) id (a part of `written`).
    public var duplicateID = 0

    public init() {}

    static let fieldCount = 6
}

/// Counts of an event log, kept while it is written so a run can report what its faults did.
public struct EventLogStats: Sendable, Equatable {
    /// Counts per kind, indexed by ``EventKind/rawValue``.
    public internal(set) var byKind: [EventCounts]
    /// Lines in the file, the CSV header included.
    public internal(set) var linesWritten = 0
    public internal(set) var bytesWritten = 0

    public init() {
        byKind = [EventCounts](repeating: EventCounts(), count: EventKind.allCases.count)
    }

    public subscript(kind: EventKind) -> EventCounts { byKind[kind.rawValue] }

    /// The counts of all kinds added up.
    public var total: EventCounts {
        var sum = EventCounts()
        for c in byKind {
            sum.generated += c.generated
            sum.lost += c.lost
            sum.written += c.written
            sum.late += c.late
            sum.lateBeyondHorizon += c.lateBeyondHorizon
            sum.duplicateID += c.duplicateID
        }
        return sum
    }
}
