#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

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
    /// Live states of the model searched from.
    public let liveStates: Int

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
        return ReleaseSearch(scans: scans, added: added, fit: current, liveStates: start.model.liveStates)
    }
}

/// Releases of a fitted model that do not earn their parameters, removed (backward elimination after
/// ``ReleaseSearch``'s forward selection on a small model, whose misfit can read as steps).
public struct ReleasePruning: Sendable {
    /// A release weighed: its day and its Wald statistic against factors of 1.
    public struct Weighed: Sendable, Hashable {
        public let day: Int
        public let wald: Double
        public let kept: Bool
    }

    /// Every release of the model given, in day order.
    public let weighed: [Weighed]
    /// The Wald statistic a release had to exceed: BIC's price of its parameters, (2 + F) log(users).
    public let price: Double
    /// The model refitted without the releases dropped; nil when every release was kept.
    public let fit: HMMFit?

    /// Weighs each release by the Wald statistic Σ_c ((m_c − 1)/SE_c)² over its key-action and feature factors, from
    /// the standard errors of the scores at the fitted model clustered by `clusters` (the covariances between
    /// factors left out), drops those below ``price`` and refits the rest by EM.
    /// - Throws: ``FittingError`` from the standard errors or the refit.
    public static func prune(
        _ fit: HMMFit, data: UserDaySequences, clusters: [Int]?, options: FitOptions
    ) throws -> ReleasePruning {
        let model = fit.model
        let features = model.featureCount
        let price = Double(2 + features) * log(Double(max(2, data.userCount)))
        guard !model.releases.isEmpty else { return ReleasePruning(weighed: [], price: price, fit: nil) }
        let errors = try ParameterStandardErrors.outerProductOfScores(
            model: model, data: data, clusters: clusters, threads: options.threads)
        let first = errors.estimates.count - model.releases.count * (1 + features)
        let weighed = model.releases.enumerated().map { j, release in
            var wald = 0.0
            for c in 0...features {
                let factor = c == 0 ? release.keyActionFactor : release.featureFactors[c - 1]
                let se = errors.standardErrors[first + j * (1 + features) + c]
                if se > 0 && se.isFinite { wald += (factor - 1) * (factor - 1) / (se * se) }
            }
            return Weighed(day: release.day, wald: wald, kept: wald > price)
        }
        guard weighed.contains(where: { !$0.kept }) else {
            return ReleasePruning(weighed: weighed, price: price, fit: nil)
        }
        let kept = model.releases.enumerated().filter { weighed[$0.offset].kept }.map(\.element)
        let refit = try HMMFitter.refine(model.replacing(releases: kept), on: data, options: options)
        return ReleasePruning(weighed: weighed, price: price, fit: refit)
    }
}
