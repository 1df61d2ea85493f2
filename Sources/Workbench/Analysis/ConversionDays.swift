import UsageModel

/// The days on which each user converted a trial to paid or moved to a higher plan: the
/// conversion outcome of segment validity, on simulated runs and imported logs alike.
final class ConversionDays: DayObserver {
    /// (user, day) of every conversion, in day order, while the days pass.
    private var events: [(user: Int32, day: Int32)] = []
    /// After the last day: user `u`'s days, increasing, are `days[first[u] ..< first[u + 1]]`.
    private var first: [Int32] = []
    private var days: [Int32] = []

    func daysWillStart(_ population: PopulationDirectory) {
        first = [Int32](repeating: 0, count: population.userCount + 1)
    }

    func dayDidEnd(_ usage: UsageDay) {
        let converted = CommerceEvent.converted.rawValue
        let upgraded = CommerceEvent.upgraded.rawValue
        let commerce = usage.commerce.baseAddress
        for u in 0..<usage.commerce.count {
            let event = commerce[u]
            if event == converted || event == upgraded { events.append((Int32(u), Int32(usage.day))) }
        }
    }

    func daysDidEnd() {
        // A counting sort by user keeps each user's days in day order.
        for e in events { first[Int(e.user) + 1] += 1 }
        for u in first.indices.dropFirst() { first[u] += first[u - 1] }
        var next = first
        days = [Int32](repeating: 0, count: events.count)
        for e in events {
            days[Int(next[Int(e.user)])] = e.day
            next[Int(e.user)] += 1
        }
        events = []
    }

    /// Whether the user converted or upgraded on a day in `after + 1 ... through`.
    func converted(user: Int, after: Int, through: Int) -> Bool {
        guard user + 1 < first.count else { return false }
        for i in Int(first[user])..<Int(first[user + 1]) where Int(days[i]) > after && Int(days[i]) <= through {
            return true
        }
        return false
    }
}
