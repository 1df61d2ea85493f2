import Stats
import UsageModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Applies the data-quality faults to a user-day's fresh events.
///
/// It runs after all of the user-day's times are drawn from the same stream, so a seed gives the
/// same timestamps with faults on or off and a clean log can be compared with a faulty one line
/// by line.
struct FaultInjector {
    let quality: DataQuality
    let seed: UInt64
    /// No event arriving at or after this time (ms) is written: the end of the last simulated day.
    let horizon: Int64
    private let lateMu: Double

    init(quality: DataQuality, seed: UInt64, horizon: Int64) {
        self.quality = quality
        self.seed = seed
        self.horizon = horizon
        lateMu = log(quality.lateDelayMedianHours)
    }

    /// Checks the ranges the faults rely on, naming the offending field by its scenario key.
    static func validate(_ q: DataQuality) throws {
        let shares: [(String, Double)] = [
            ("lost_events", q.lostEvents), ("duplicate_identities.users", q.duplicateUserShare),
            ("duplicate_identities.events", q.duplicateEventShare), ("late_events.probability", q.lateEventProbability),
        ]
        for (name, p) in shares where !(p >= 0 && p <= 1) {
            throw EventLogError.invalidDataQuality("\(name): must be between 0 and 1, got \(p)")
        }
        if q.lateEventProbability > 0 {
            guard q.lateDelayMedianHours > 0 && q.lateDelayMedianHours.isFinite else {
                throw EventLogError.invalidDataQuality(
                    "late_events.delay_hours.median: must be > 0, got \(q.lateDelayMedianHours)")
            }
            guard q.lateDelaySigma >= 0 && q.lateDelaySigma.isFinite else {
                throw EventLogError.invalidDataQuality(
                    "late_events.delay_hours.sigma: must be >= 0, got \(q.lateDelaySigma)")
            }
        }
    }

    /// Whether user `u` also appears under a second id: a hash of (seed, user) below the share,
    /// so the same users are duplicated on every day and in every run with this seed.
    @inline(__always)
    func isDuplicated(_ u: Int) -> Bool {
        guard quality.duplicateUserShare > 0 else { return false }
        let h = StreamKey.derive(seed, StreamPurpose.duplicates, UInt64(u), 0)
        return Double(h >> 11) * 0x1p-53 < quality.duplicateUserShare
    }

    /// Drops, relabels and delays the events `batch[first...]`, keeping in place those written today.
    ///
    /// Per event, in order: lost with `lostEvents` (nothing more is drawn for it); logged under the
    /// second id with `duplicateEventShare` when the user is duplicated; late with
    /// `lateEventProbability`, arriving a lognormal number of hours later. A late event arriving
    /// after `dayEnd` waits in `pending`; one arriving after the horizon is only counted.
    @inline(__always)
    func apply(
        to batch: inout ContiguousArray<LogEvent>, from first: Int, dayEnd: Int64, duplicated: Bool,
        rng: inout SplitMix64, pending: inout PendingEvents, counters: EventCounters
    ) {
        let lost = quality.lostEvents
        let late = quality.lateEventProbability
        let duplicate = duplicated ? quality.duplicateEventShare : 0
        var kept = first
        for r in first..<batch.count {
            var e = batch[r]
            let kind = Int(e.kind)
            counters.add(kind, EventCounters.generated)
            if lost > 0 && FastSampler.bernoulli(lost, using: &rng) {
                counters.add(kind, EventCounters.lost)
                continue
            }
            if duplicate > 0 && FastSampler.bernoulli(duplicate, using: &rng) {
                e.flags |= LogEvent.duplicateFlag
            }
            if late > 0 && FastSampler.bernoulli(late, using: &rng) {
                let hours = FastSampler.lognormal(mu: lateMu, sigma: quality.lateDelaySigma, using: &rng)
                // Rounded up so a late event is always at least a millisecond late.
                let delay = (hours * Double(Millis.hour)).rounded(.up)
                e.flags |= LogEvent.lateFlag
                guard delay < Double(horizon - e.timestamp) else {
                    counters.add(kind, EventCounters.lateBeyondHorizon)
                    continue
                }
                e.received = e.timestamp + max(Int64(delay), 1)
                if e.received >= dayEnd {
                    pending.push(e)
                    continue
                }
            }
            batch[kept] = e
            kept += 1
        }
        batch.removeLast(batch.count - kept)
    }
}

/// Event counts by kind and fate, in one flat block so the hot loops add without exclusivity checks.
final class EventCounters {
    static let generated = 0
    static let lost = 1
    static let written = 2
    static let late = 3
    static let lateBeyondHorizon = 4
    static let duplicateID = 5

    private let kinds = EventKind.allCases.count
    private let cells: UnsafeMutablePointer<Int>

    init() {
        cells = .allocate(capacity: kinds * EventCounts.fieldCount)
        cells.initialize(repeating: 0, count: kinds * EventCounts.fieldCount)
    }

    deinit { cells.deallocate() }

    @inline(__always)
    func add(_ kind: Int, _ field: Int, _ n: Int = 1) {
        cells[kind * EventCounts.fieldCount + field] &+= n
    }

    /// The counts as the public per-kind structs.
    func snapshot() -> [EventCounts] {
        (0..<kinds).map { k in
            let c = cells + k * EventCounts.fieldCount
            var counts = EventCounts()
            counts.generated = c[EventCounters.generated]
            counts.lost = c[EventCounters.lost]
            counts.written = c[EventCounters.written]
            counts.late = c[EventCounters.late]
            counts.lateBeyondHorizon = c[EventCounters.lateBeyondHorizon]
            counts.duplicateID = c[EventCounters.duplicateID]
            return counts
        }
    }
}
