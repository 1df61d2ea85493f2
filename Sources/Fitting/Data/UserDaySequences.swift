import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A day on which a user had at least one session.
public struct ActiveDay: Sendable, Hashable {
    /// Days since the user's sign-up: 0 is the sign-up day.
    public var day: Int
    /// Sessions that day, ≥ 1.
    public var sessions: Int
    /// Key actions that day, ≥ 0.
    public var keyActions: Int
    /// Bit f is set when feature f was used that day.
    public var features: UInt32

    public init(day: Int, sessions: Int, keyActions: Int, features: UInt32 = 0) {
        self.day = day
        self.sessions = sessions
        self.keyActions = keyActions
        self.features = features
    }
}

/// The observations a hidden Markov model is fitted to: for each user, the days from sign-up to the end of
/// observation, of which only the days with a session are stored.
///
/// A day without a session says nothing but "no session", so it needs no storage: memory grows with activity, not
/// with users × days (DESIGN.md, Scale), and a run of silent days can be handled as a whole. The active days are
/// a struct of arrays — one contiguous column per quantity, each user's days a contiguous range given by offsets —
/// so the E-step walks memory in order and allocates nothing per day.
public struct UserDaySequences: Sendable {
    /// Features whose use is recorded (bits of ``ActiveDay/features``), 0 … 32.
    public let featureCount: Int
    /// Days observed per user, ≥ 1.
    let observedDays: Column<Int32>
    /// Per user, the ``AccountSizeClass`` of the user's account (0 when the data have no accounts).
    let accountSizeClass: Column<UInt8>
    /// Per user, the calendar day of sign-up (0 is the first day of the log; 0 for every user of data without
    /// dates): where a ``ProductRelease`` falls in the user's days.
    let signupDay: Column<Int32>
    /// User u's active days are positions `activeStart[u]..<activeStart[u + 1]` of the day columns.
    let activeStart: Column<Int>
    /// Day of each active day since its user's sign-up, ascending within a user.
    let activeDay: Column<Int32>
    /// Each active day's session count as an index into ``sessionValues``.
    let sessionLevel: Column<Int32>
    let keyActions: Column<Int32>
    let features: Column<UInt32>
    /// The distinct session counts of the active days, in order of first appearance: the emission of a day's
    /// sessions is looked up per level, so it is computed once per distinct count and iteration.
    let sessionValues: [Int]
    /// Per user −Σ log(a!) over its active days' key actions a: the part of the key-action likelihood that no
    /// state changes, computed once.
    let keyActionLogConstant: Column<Double>
    /// The longest observation of any user, in days.
    public let maximumObservedDays: Int

    /// Users in the data.
    public var userCount: Int { observedDays.count }
    /// Days observed over all users.
    public var totalObservedDays: Int { observedDays.reduce(0) { $0 + Int($1) } }
    /// Users whose active days are stored at positions `activeStart[u]..<activeStart[u + 1]`.
    func activeRange(user: Int) -> Range<Int> { activeStart[user]..<activeStart[user + 1] }
    /// Days with a session over all users.
    public var totalActiveDays: Int { activeDay.count }

    /// The calendar day `user` signed up on (0 is the log's first day).
    public func signupDay(user: Int) -> Int { Int(signupDay[user]) }

    /// The ``AccountSizeClass`` of `user`'s account.
    public func accountSizeClass(user: Int) -> Int { Int(accountSizeClass[user]) }

    /// One past the largest account size class of any user: 1 for data without accounts.
    public var accountSizeClassCount: Int { Int(accountSizeClass.max() ?? 0) + 1 }

    /// Days observed for `user`, sign-up day included.
    public func observedDays(user: Int) -> Int { Int(observedDays[user]) }

    /// The active days of `user`, in order.
    public func activeDays(user: Int) -> [ActiveDay] {
        activeRange(user: user).map { i in
            ActiveDay(
                day: Int(activeDay[i]), sessions: sessionValues[Int(sessionLevel[i])], keyActions: Int(keyActions[i]),
                features: features[i])
        }
    }

    /// `count` users spread evenly over the data, users ⌊i·n/count⌋ for i < count, or all of them when there are no
    /// more: a deterministic sample across the sign-up months.
    public func evenlySpacedUsers(_ count: Int) -> [Int] {
        let m = min(count, userCount)
        return (0..<m).map { $0 * userCount / m }
    }

    /// The same data restricted to the given users, in the given order; a user listed twice appears twice (the
    /// resampling of a bootstrap over users).
    public func selecting(users: [Int]) -> UserDaySequences {
        var builder = Builder(checkedFeatureCount: featureCount, sessionValues: sessionValues)
        for u in users {
            builder.appendUnchecked(from: self, user: u)
        }
        return builder.build()
    }
}

extension UserDaySequences {
    /// Collects users one at a time, checking each before it is kept.
    public struct Builder {
        let featureCount: Int
        private var observedDays: ContiguousArray<Int32> = []
        private var accountSizeClass: ContiguousArray<UInt8> = []
        private var signupDay: ContiguousArray<Int32> = []
        private var activeStart: ContiguousArray<Int> = [0]
        private var activeDay: ContiguousArray<Int32> = []
        private var sessionLevel: ContiguousArray<Int32> = []
        private var keyActions: ContiguousArray<Int32> = []
        private var features: ContiguousArray<UInt32> = []
        private var keyActionLogConstant: ContiguousArray<Double> = []
        private var sessionValues: [Int] = []
        private var levelOfSessions: [Int: Int32] = [:]

        /// - Throws: ``FittingError`` (``FittingError/Code/invalidObservation``) unless `featureCount` is 0 … 32.
        public init(featureCount: Int) throws {
            guard (0...32).contains(featureCount) else {
                throw FittingError(.invalidObservation, "featureCount: must be between 0 and 32 (got \(featureCount))")
            }
            self.featureCount = featureCount
        }

        init(checkedFeatureCount: Int, sessionValues: [Int]) {
            featureCount = checkedFeatureCount
            self.sessionValues = sessionValues
            for (level, value) in sessionValues.enumerated() {
                levelOfSessions[value] = Int32(level)
            }
        }

        /// Adds the next user.
        /// - Parameters:
        ///   - observedDays: Days from sign-up to the end of observation, sign-up day included: 1 … 2³¹ − 1.
        ///   - activeDays: The user's days with a session, ascending by day, each within the observation, with
        ///     sessions ≥ 1, key actions ≥ 0 (both below 2³¹) and only declared feature bits.
        ///   - accountSizeClass: The ``AccountSizeClass`` of the user's account; 0 for all users of data without
        ///     accounts.
        /// - Throws: ``FittingError`` (``FittingError/Code/invalidObservation``) naming the user (its index among the
        ///   users added) and the first bad day; the user is then not added.
        public mutating func addUser(
            observedDays days: Int, activeDays: some Collection<ActiveDay>, accountSizeClass sizeClass: Int = 0,
            signupDay signup: Int = 0
        ) throws {
            let user = observedDays.count
            guard days >= 1, days <= Int(Int32.max) else {
                throw FittingError(.invalidObservation, "user \(user): observed days must be ≥ 1 (got \(days))")
            }
            guard (0..<AccountSizeClass.count).contains(sizeClass) else {
                throw FittingError(
                    .invalidObservation, "user \(user): account size class must be 0 … \(AccountSizeClass.count - 1)")
            }
            guard (0...Int(Int32.max)).contains(signup) else {
                throw FittingError(.invalidObservation, "user \(user): sign-up day must be ≥ 0 (got \(signup))")
            }
            let featureMask: UInt32 = featureCount == 32 ? .max : (1 << UInt32(featureCount)) - 1
            var previous = -1
            for active in activeDays {
                let problem: String? =
                    if active.day <= previous {
                        "days must be ascending and distinct"
                    } else if active.day >= days {
                        "day is outside the user's \(days) observed days"
                    } else if active.sessions < 1 || active.sessions > Int(Int32.max) {
                        "sessions must be ≥ 1 on an active day (got \(active.sessions))"
                    } else if active.keyActions < 0 || active.keyActions > Int(Int32.max) {
                        "key actions must be ≥ 0 (got \(active.keyActions))"
                    } else if active.features & ~featureMask != 0 {
                        "feature bits beyond the \(featureCount) declared features"
                    } else {
                        nil
                    }
                if let problem {
                    throw FittingError(.invalidObservation, "user \(user), day \(active.day): \(problem)")
                }
                previous = active.day
            }
            append(observedDays: days, activeDays: activeDays, accountSizeClass: sizeClass, signupDay: signup)
        }

        /// Adds a user whose days are known to follow the rules of ``addUser(observedDays:activeDays:)``.
        mutating func append(
            observedDays days: Int, activeDays: some Collection<ActiveDay>, accountSizeClass sizeClass: Int = 0,
            signupDay signup: Int = 0
        ) {
            var logConstant = 0.0
            for active in activeDays {
                activeDay.append(Int32(active.day))
                sessionLevel.append(level(of: active.sessions))
                keyActions.append(Int32(active.keyActions))
                features.append(active.features)
                logConstant -= lgamma(Double(active.keyActions) + 1)
            }
            observedDays.append(Int32(days))
            accountSizeClass.append(UInt8(sizeClass))
            signupDay.append(Int32(signup))
            activeStart.append(activeDay.count)
            keyActionLogConstant.append(logConstant)
        }

        /// Copies a user of checked data, whose session values this builder already knows.
        mutating func appendUnchecked(from data: UserDaySequences, user: Int) {
            let range = data.activeRange(user: user)
            activeDay.append(contentsOf: data.activeDay[range])
            sessionLevel.append(contentsOf: data.sessionLevel[range])
            keyActions.append(contentsOf: data.keyActions[range])
            features.append(contentsOf: data.features[range])
            observedDays.append(data.observedDays[user])
            accountSizeClass.append(data.accountSizeClass[user])
            signupDay.append(data.signupDay[user])
            activeStart.append(activeDay.count)
            keyActionLogConstant.append(data.keyActionLogConstant[user])
        }

        private mutating func level(of sessions: Int) -> Int32 {
            if let level = levelOfSessions[sessions] { return level }
            let level = Int32(sessionValues.count)
            sessionValues.append(sessions)
            levelOfSessions[sessions] = level
            return level
        }

        /// The users added so far.
        public func build() -> UserDaySequences {
            UserDaySequences(
                featureCount: featureCount, observedDays: Column(observedDays),
                accountSizeClass: Column(accountSizeClass), signupDay: Column(signupDay),
                activeStart: Column(activeStart),
                activeDay: Column(activeDay), sessionLevel: Column(sessionLevel), keyActions: Column(keyActions),
                features: Column(features), sessionValues: sessionValues,
                keyActionLogConstant: Column(keyActionLogConstant), maximumObservedDays: Int(observedDays.max() ?? 0))
        }
    }
}
