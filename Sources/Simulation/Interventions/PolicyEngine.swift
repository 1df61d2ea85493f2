public import Segmentation
import Stats
public import UsageModel

/// What happened to one policy's triggers over a run.
public struct PolicyCounters: Codable, Sendable, Equatable {
    public var triggered = 0
    public var sends = 0
    public var delivered = 0
    public var opened = 0
    public var unsubscribes = 0
    public var upgrades = 0
    /// Triggers that did not lead to a send, by reason.
    public var alreadySent = 0
    public var cooldown = 0
    public var noConsent = 0
    public var unsubscribed = 0
    public var frequencyCap = 0

    static let width = 11

    public init() {}

    /// Adds the same policy's counts over other users.
    public mutating func add(_ o: PolicyCounters) {
        (triggered, sends, delivered) = (triggered + o.triggered, sends + o.sends, delivered + o.delivered)
        (opened, unsubscribes, upgrades) = (opened + o.opened, unsubscribes + o.unsubscribes, upgrades + o.upgrades)
        (alreadySent, cooldown, noConsent) = (
            alreadySent + o.alreadySent, cooldown + o.cooldown, noConsent + o.noConsent
        )
        (unsubscribed, frequencyCap) = (unsubscribed + o.unsubscribed, frequencyCap + o.frequencyCap)
    }

    init(_ v: UnsafePointer<Int>) {
        (triggered, sends, delivered, opened, unsubscribes, upgrades) = (v[0], v[1], v[2], v[3], v[4], v[5])
        (alreadySent, cooldown, noConsent, unsubscribed, frequencyCap) = (v[6], v[7], v[8], v[9], v[10])
    }
}

/// Turns segment evaluations into sends: an evaluation observer of the segmentation engine (it
/// adds itself), it fires after each evaluation each policy's trigger from observed usage only,
/// checks eligibility, draws delivery, opening and unsubscribing, and writes the resulting
/// effects into the ``TreatmentState`` the day loop reads.
///
/// Users of the control arm go through the same triggers without any send, so every comparison
/// (a treatment arm against the control) knows each user's index day: the first day a policy of
/// that arm triggered. Before it, both arms behave alike.
public final class PolicyEngine: EvaluationObserver {
    public let spec: InterventionSpec
    public unowned let engine: SegmentationEngine
    public let treatment: TreatmentState
    let seed: UInt64
    let threads: Int
    /// Counters per policy.
    public var counters: [PolicyCounters] {
        totals.withUnsafeBufferPointer { t in
            spec.policies.indices.map { PolicyCounters(t.baseAddress! + $0 * PolicyCounters.width) }
        }
    }
    /// The counters as the workers tally them: `PolicyCounters.width` slots per policy.
    var totals: [Int]
    /// Bits of the policies whose trigger fires once per stay in a segment.
    let stayMask: UInt32
    /// Per comparison (``InterventionSpec/treatmentArms`` order): each user's index day, or `nil`.
    public private(set) var indexDays: [Column<Int32>] = []
    /// Called with the (comparison, user) pairs indexed on an evaluation day, in a fixed order.
    public var onIndex: ((Int, [(comparison: Int, user: Int)]) throws -> Void)?

    var signupDay = Column<Int32>(repeating: 0, count: 0)
    /// Each user's account (users of an account are contiguous), for indexing whole accounts.
    var account = Column<Int32>(repeating: 0, count: 0)
    var segmentSince = Column<Int32>(repeating: 0, count: 0)
    var previousTags = Column<UInt32>(repeating: 0, count: 0)
    /// Per user, bit `q`: policy `q`'s one-off trigger (a stay, a missed milestone) has fired.
    var fired = Column<UInt32>(repeating: 0, count: 0)

    static let none = Int32.min

    public init(
        spec: InterventionSpec, engine: SegmentationEngine, treatment: TreatmentState, seed: UInt64, threads: Int
    ) {
        self.spec = spec
        self.engine = engine
        self.treatment = treatment
        self.seed = seed
        self.threads = max(1, threads)
        totals = Array(repeating: 0, count: spec.policies.count * PolicyCounters.width)
        stayMask = spec.policies.enumerated().reduce(UInt32(0)) { mask, entry in
            if case .staysInSegment = entry.element.trigger { return mask | (1 << UInt32(entry.offset)) }
            return mask
        }
        engine.add(self)
    }

    public func daysWillStart(_ population: PopulationDirectory) {
        let n = population.userCount
        signupDay = population.signupDay
        account = population.account
        segmentSince = Column(repeating: 0, count: n)
        previousTags = Column(repeating: 0, count: n)
        fired = Column(repeating: 0, count: n)
        indexDays = spec.treatmentArms.map { _ in Column(repeating: Self.none, count: n) }
    }

    public func evaluationDidEnd(by engine: SegmentationEngine, usage: UsageDay) throws {
        let n = treatment.users
        let day = usage.day
        let ranges = UserRanges.split(users: n, parts: threads)
        let width = spec.policies.count * PolicyCounters.width
        let tallies = Column<Int>(repeating: 0, count: width * threads)
        let results = UnsafeMutableBufferPointer<[(comparison: Int, user: Int)]>.allocate(capacity: threads)
        results.initialize(repeating: [])
        defer { results.deinitialize().deallocate() }
        UserRanges.forEach(ranges) { w, users in
            results[w] = step(day: day, users: users, tally: tallies.baseAddress + w * width)
        }
        for w in 0..<threads {
            for k in 0..<width { totals[k] += tallies[w * width + k] }
        }
        var indexed = results.flatMap { $0 }
        if spec.randomisation == .account { indexed = wholeAccounts(indexed, day: day) }
        try onIndex?(day, indexed)
    }

    /// With accounts randomised an account enters a comparison as a whole: on the day a policy first
    /// triggers for one of its users, every user of the account not yet in the comparison is indexed too.
    /// Otherwise which teammates enter, and when, would depend on what the campaign did to the first one
    /// (a treated account's users go quiet less often), and the arms would no longer be alike.
    /// - Returns: the pairs with the teammates added, in user order (then comparison order).
    func wholeAccounts(_ indexed: [(comparison: Int, user: Int)], day: Int) -> [(comparison: Int, user: Int)] {
        var all = indexed
        let today = Int32(day)
        for (k, u) in indexed {
            var first = u
            while first > 0, account[first - 1] == account[u] { first -= 1 }
            var m = first
            while m < account.count, account[m] == account[u] {
                if indexDays[k][m] == Self.none {
                    indexDays[k][m] = today
                    all.append((k, m))
                }
                m += 1
            }
        }
        return all.sorted { ($0.user, $0.comparison) < ($1.user, $1.comparison) }
    }
}
