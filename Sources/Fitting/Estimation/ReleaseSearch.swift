/// Product releases added to a fitted model one at a time (forward selection): each round scans the calendar for the
/// strongest step in key actions and feature use against the current model (``ProductReleases`` on
/// ``HMMInference/calendarRates(days:threads:)``), and if one clears the criterion, adds a release on its day and
/// refits every parameter by EM, the release's factors with them; it stops when no step clears it.
///
/// Fitted jointly, a release's factors are its full size: a scan of a model without it sees only part of the step,
/// since the posterior moves users to states whose emissions look like the period after, and the attenuated step
/// leaves smaller steps of the opposite sign on either side of it. Rescanning after each refit finds only what
/// the model with the releases so far still misses.
public struct ReleaseSearch: Sendable {
    /// Each round's scan, the last one finding nothing new (or the round limit reached).
    public let scans: [ProductReleases]
    /// The step each round added, in round order.
    public let added: [ProductReleases.Release]
    /// The fit with every release found; nil when none was.
    public let fit: HMMFit?

    /// - Parameters:
    ///   - days: Calendar days of the log.
    ///   - options: For the refits (sizes, threads); the starts are not used.
    /// - Throws: ``FittingError`` from a refit.
    public static func search(
        from start: HMMFit, data: UserDaySequences, days: Int, options: FitOptions
    ) throws -> ReleaseSearch {
        var scans: [ProductReleases] = []
        var current: HMMFit?
        var added: [ProductReleases.Release] = []
        while scans.count <= ProductReleases.mostReleases {
            let model = (current ?? start).model
            let scan = ProductReleases(
                HMMInference(checked: model, data: data).calendarRates(days: days, threads: options.threads),
                users: data.userCount)
            scans.append(scan)
            let known = Set(model.releases.map(\.day))
            guard let next = scan.releases.filter({ !known.contains($0.day) }).max(by: { $0.gain < $1.gain }) else {
                break
            }
            added.append(next)
            let release = ProductRelease(
                day: next.day, keyActionFactor: 1,
                featureFactors: Array(repeating: 1, count: model.featureCount))
            let releases = (model.releases + [release]).sorted { $0.day < $1.day }
            current = try HMMFitter.refine(model.replacing(releases: releases), on: data, options: options)
        }
        return ReleaseSearch(scans: scans, added: added, fit: current)
    }
}
