import UsageModel

/// The days on which each user converted a trial to paid or moved to a higher plan: the
/// conversion outcome of segment validity, on simulated runs and imported logs alike.
final class ConversionDays: DayObserver {
    /// Days in increasing order, for the few users who have any.
    private(set) var days: [Int: [Int]] = [:]

    func dayDidEnd(_ usage: UsageDay) {
        let converted = CommerceEvent.converted.rawValue
        let upgraded = CommerceEvent.upgraded.rawValue
        for u in 0..<usage.commerce.count {
            let event = usage.commerce[u]
            if event == converted || event == upgraded { days[u, default: []].append(usage.day) }
        }
    }

    /// Whether the user converted or upgraded on a day in `after + 1 ... through`.
    func converted(user: Int, after: Int, through: Int) -> Bool {
        days[user]?.contains { $0 > after && $0 <= through } ?? false
    }
}
