import Fitting
import UsageModel

/// Everything `fit` writes into a scenario: the model BIC chose, with its standard errors, and the estimates beside
/// it, named as a scenario names them.
struct FittedScenario {
    /// A milestone with its inferred requirements and its daily hazard per live state, pooled over the personas and
    /// per persona.
    struct Milestone {
        var name: String
        /// Indices of earlier milestones.
        var requires: [Int]
        /// Per live state; nil where no day at risk fell in the state.
        var hazards: [Double?]
        /// Expected days at risk per live state.
        var daysAtRisk: [Double]
        /// `[fitted persona · bands + band][state]`, as ``hazards`` and ``daysAtRisk``.
        var personaHazards: [[Double?]]
        var personaDaysAtRisk: [[Double]]
    }

    /// A persona's plan (an index into ``plans``) and trial length.
    struct Billing {
        var plan: Int
        var trialDays: Int
    }

    /// What the log held and what the fit left out, for the header.
    struct Diagnostics {
        var files: [String]
        var taxonomy: String
        var usersLeftOut: Int
        var observedDays: Int
        var activeDays: Int
        var daysWithoutSession: Int
        var milestonesOnSilentDays: Int
        var trialEnds: Int
        var npsAnswers: Int
        var npsOnSilentDays: Int
    }

    var name: String
    var startDate: CivilDate
    var days: Int
    var users: Int
    var signupDays: Int
    var features: [String]
    var milestones: [Milestone]
    var selection: ModelSelection
    /// Habit feedback tried on held-out users, and the chosen size refitted with it when kept; nil when not tried.
    var habit: HabitChoice?
    /// The chosen size (with habit feedback when kept) with its personas split by account size (``HiddenMarkovModel/splitByAccountBand(users:minimumUsers:)``),
    /// refined by EM; used when kept.
    var split: BandSplit?
    /// Product releases found before the sizes were compared, on the smallest size with one persona
    /// (``ReleaseSearch``); every size was fitted with them.
    var releaseProbe: ReleaseSearch
    /// The probe's releases weighed on the chosen model, those that do not earn their parameters dropped.
    var pruning: ReleasePruning
    /// The search again on the chosen model (after the pruning), for releases the probe missed.
    var releases: ReleaseSearch
    /// The model written: ``structure(selection:habit:split:pruning:releases:)``, refitted to all users when the
    /// steps before ran on a sample of them.
    var fit: HMMFit
    /// By parameter name (``HiddenMarkovModel/namedParameters``), or why there are none.
    var standardErrors: Result<[String: Double], FittingError>
    var plans: [String]
    var planCents: [Int64]
    /// One per persona, in the model's order.
    var billing: [Billing]
    var afterTrial: Int?
    /// Trial conversion per live state with its standard error (``StateOutcomeMixture``); nil where no trial ended
    /// in the state.
    var conversion: [(rate: Double, standardError: Double)?]
    /// Expected trial ends per live state.
    var conversionWeights: [Double]
    /// Plan changes by live state, at kind `from · plans + to` (``PosteriorEstimates/planChanges``).
    var planChanges: StateOutcomeRates?
    /// NPS answers by live state (``PosteriorEstimates/nps``); nil when the log holds none.
    var nps: StateOutcomeRates?
    /// A persona as the scenario has it: a fitted persona whole, or, when the log has accounts of one user and of
    /// several, its users of one band of account size (alone, or in a team), whose milestone hazards and team sizes
    /// differ while their chain is the fitted persona's.
    struct Persona {
        var name: String
        /// The fitted persona: its chain, billing and standard errors.
        var fitted: Int
        /// Of all users.
        var share: Double
        /// 0 (alone, or the whole persona) or 1 (in a team): with ``fitted``, the milestone hazards' group.
        var band: Int
        var teamSize: TeamSize?
        /// What its share is, when it is not the fitted persona's.
        var shareNote: String?
    }

    enum TeamSize {
        case alone
        case lognormal(LognormalSizes)
    }

    var personas: [Persona]
    /// Account size bands the personas are split into: 2 when the log has accounts of one user and of several, else 1.
    var bands: Int
    /// nil when a weekday was never observed.
    var weekday: WeekdayFactors?
    var diagnostics: Diagnostics

    struct BandSplit {
        var fit: HMMFit
        /// The model it split.
        var unsplit: HMMFit
        /// Whether its BIC is lower than the unsplit model's.
        var kept: Bool
    }

    struct HabitChoice {
        var selection: HabitSelection
        /// The chosen size with habit feedback, on the users the sizes were compared on; nil when feedback did not
        /// predict held-out users better.
        var fit: HMMFit?
    }

    /// The fit the steps lead to, on the users they ran on: the chosen size, with habit feedback when kept, split by
    /// account size when that was kept, with the product releases found.
    static func structure(
        selection: ModelSelection, habit: HabitChoice?, split: BandSplit?, pruning: ReleasePruning,
        releases: ReleaseSearch
    ) -> HMMFit {
        releases.fit ?? pruning.fit ?? (split?.kept == true ? split!.fit : (habit?.fit ?? selection.best.fit))
    }
    var model: HiddenMarkovModel { fit.model }

    /// Live states by increasing session mean: the first `S` of quiet, light, regular, heavy, intense spread over the
    /// ladder (2 states are quiet and intense, 3 quiet, regular and intense), `s1`, `s2`, … beyond five.
    var stateNames: [String] {
        let ladder = ["quiet", "light", "regular", "heavy", "intense"]
        let count = model.liveStates
        switch count {
        case 1: return ["regular"]
        case 2...ladder.count:
            return (0..<count).map { ladder[Int((Double($0) * 4 / Double(count - 1)).rounded())] }
        default: return (1...count).map { "s\($0)" }
        }
    }

    /// Names as a scenario takes them (1 to 64 of `a-z`, `0-9`, `_`): lower-cased, any other character `_`,
    /// cut at 64; an empty name, `null` (which YAML reads as nothing) and repeats get a suffix.
    static func scenarioNames(_ names: [String], noun: String) -> [String] {
        var taken = Set<String>()
        return names.enumerated().map { i, original in
            var name = String(
                String.UnicodeScalarView(
                    original.lowercased().unicodeScalars.map { scalar in
                        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? scalar : "_"
                    }
                ).prefix(64))
            if name.isEmpty || name == "null" { name = "\(noun)_\(i + 1)" }
            var unique = name
            var suffix = 2
            while !taken.insert(unique).inserted {
                unique = String(name.prefix(60)) + "_\(suffix)"
                suffix += 1
            }
            return unique
        }
    }
}
