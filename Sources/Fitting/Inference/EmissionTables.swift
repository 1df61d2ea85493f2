import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The emission log-probabilities of one model on one data set, computed once per E-step so that a day's emission
/// in a state is a handful of table lookups and additions.
struct EmissionTables: Sendable {
    let featureCount: Int
    /// Distinct session counts of the data (``UserDaySequences/sessionValues``).
    let levelCount: Int
    /// log P(sessions = the count of level v | state s) at `s · levelCount + v`, the log(sessions!) included.
    let logSessions: Column<Double>
    /// P(no session | state) for every state, churned (1) included: the emission of a silent day.
    let silentDay: Column<Double>
    /// Per level, the session count and its logarithm.
    let sessionValue: Column<Double>
    let logSessionValue: Column<Double>
    /// Live states S of the model.
    let liveStates: Int
    /// Per period (``HiddenMarkovModel/periods``) and live state κ (key actions per session) and log κ, at
    /// `p · S + s`.
    let keyActionRate: Column<Double>
    let logKeyActionRate: Column<Double>
    /// log q and log(1 − q) of each feature, q its probability in the period, at `(p · S + s) · featureCount + f`.
    let logFeature: Column<Double>
    let logNoFeature: Column<Double>

    init(model: HiddenMarkovModel, sessionValues: [Int]) {
        featureCount = model.featureCount
        levelCount = sessionValues.count
        let values = sessionValues.map(Double.init)
        sessionValue = Column(values)
        logSessionValue = Column(values.map { log($0) })
        var logSessions = [Double](repeating: 0, count: model.liveStates * sessionValues.count)
        var silentDay = [Double](repeating: 1, count: model.stateCount)
        let ascendingLevels = sessionValues.indices.sorted { sessionValues[$0] < sessionValues[$1] }
        for (s, emission) in model.emissions.enumerated() {
            let logZero = Self.fillSessionLogProbabilities(
                mean: emission.sessionMean, dispersion: emission.sessionDispersion, values: sessionValues,
                ascendingLevels: ascendingLevels, into: &logSessions[(s * levelCount)..<((s + 1) * levelCount)])
            silentDay[s] = exp(logZero)
        }
        self.logSessions = Column(logSessions)
        self.silentDay = Column(silentDay)
        liveStates = model.liveStates
        let rates = model.periodKeyActionRates
        keyActionRate = Column(rates)
        logKeyActionRate = Column(rates.map { log($0) })
        let probabilities = model.periodFeatureProbabilities
        logFeature = Column(probabilities.map { log($0) })
        logNoFeature = Column(probabilities.map { log1p(-$0) })
    }

    /// Fills log P(sessions = value) for every level and returns log P(0), for a Poisson (infinite dispersion) or
    /// negative binomial with mean μ and dispersion k.
    ///
    /// The negative binomial is written so it stays accurate at any k, up to the Poisson limit:
    /// log NB(y) = Σ_{j<y} log1p((j − μ)/(k + μ)) + y log μ − log y! − k log1p(μ/k), the sum running over every j
    /// below the largest count once (levels in ascending order).
    private static func fillSessionLogProbabilities(
        mean mu: Double, dispersion k: Double, values: [Int], ascendingLevels: [Int],
        into table: inout ArraySlice<Double>
    ) -> Double {
        let base = table.startIndex
        guard mu > 0 else {
            for v in ascendingLevels { table[base + v] = -.infinity }
            return 0
        }
        let logMu = log(mu)
        guard k.isFinite else {
            for v in ascendingLevels {
                let y = Double(values[v])
                table[base + v] = y * logMu - mu - lgamma(y + 1)
            }
            return -mu
        }
        let logZero = -k * log1p(mu / k)
        var running = 0.0
        var j = 0
        for v in ascendingLevels {
            let y = values[v]
            while j < y {
                running += log1p((Double(j) - mu) / (k + mu))
                j += 1
            }
            table[base + v] = running + Double(y) * logMu - lgamma(Double(y) + 1) + logZero
        }
        return logZero
    }

    /// Calls `body` with read access to the tables that counts no references per lookup, for the per-day loops.
    /// The lookup's pointers are valid inside `body` only.
    func withLookup<R>(_ body: (Lookup) -> R) -> R {
        withExtendedLifetime(self) {
            body(
                Lookup(
                    featureCount: featureCount, levelCount: levelCount, liveStates: liveStates,
                    logSessions: logSessions.baseAddress,
                    sessionValue: sessionValue.baseAddress, logSessionValue: logSessionValue.baseAddress,
                    keyActionRate: keyActionRate.baseAddress, logKeyActionRate: logKeyActionRate.baseAddress,
                    logFeature: logFeature.baseAddress, logNoFeature: logNoFeature.baseAddress))
        }
    }

    /// The tables' base addresses, lent by ``withLookup(_:)``.
    struct Lookup {
        let featureCount: Int
        let levelCount: Int
        let liveStates: Int
        let logSessions: UnsafeMutablePointer<Double>
        let sessionValue: UnsafeMutablePointer<Double>
        let logSessionValue: UnsafeMutablePointer<Double>
        let keyActionRate: UnsafeMutablePointer<Double>
        let logKeyActionRate: UnsafeMutablePointer<Double>
        let logFeature: UnsafeMutablePointer<Double>
        let logNoFeature: UnsafeMutablePointer<Double>

        /// log P(this active day's sessions, key actions and features | live state s), without the −log(a!) of the
        /// key actions (``UserDaySequences/keyActionLogConstant``), which no state changes. `s` must be a live state,
        /// `period` one of the model's and `level` a level of the data the tables were built for.
        @inline(__always)
        func logActiveDay(state s: Int, period: Int, level: Int, keyActions: Int32, features: UInt32) -> Double {
            let cell = period * liveStates + s
            var value = logSessions[s * levelCount + level] - sessionValue[level] * keyActionRate[cell]
            if keyActions > 0 {
                value += Double(keyActions) * (logSessionValue[level] + logKeyActionRate[cell])
            }
            let used = logFeature + cell * featureCount
            let unused = logNoFeature + cell * featureCount
            for f in 0..<featureCount {
                value += features & (1 << UInt32(f)) != 0 ? used[f] : unused[f]
            }
            return value
        }
    }
}
