public import Analysis

/// `results.json`: everything a run measured, with the counts behind it.
///
/// Versioned by `schema_version` (``ResultsFile/schemaVersion``). Nothing depends on the thread
/// count or the clock, so the same scenario and seed give the same bytes (invariant 1), and the
/// report is built from these values alone (`segmentlab report` re-renders it from the file).
public struct RunResults: Codable, Sendable {
    public let schemaVersion: Int
    public let scenario: ScenarioInfo
    public let population: PopulationInfo
    public let states: [String]
    public let plans: [PlanInfo]
    public let summary: Summary
    public let days: [Day]
    public let segmentation: SegmentationResults
    public let analysis: AnalysisResults
    /// The faults the scenario applies to an exported event log.
    public let dataQuality: DataQualityInfo
    /// Campaigns, arms and lift; absent when the scenario has no interventions.
    public var experiment: ExperimentResults?
    /// Power and coverage over replicate seeds, with `--replicates`.
    public var replicates: ReplicateResults?

    public struct ScenarioInfo: Codable, Sendable {
        public let name: String
        public let description: String?
        /// The scenario file exactly as read.
        public let source: String
        /// Of every amount of money in the results.
        public let currency: String
        public let seed: UInt64
        public let startDate: String
        public let days: Int
        public let users: Int
        public let signupDays: Int

        public init(
            name: String, description: String?, source: String, currency: String, seed: UInt64, startDate: String,
            days: Int, users: Int, signupDays: Int
        ) {
            self.name = name
            self.description = description
            self.source = source
            self.currency = currency
            self.seed = seed
            self.startDate = startDate
            self.days = days
            self.users = users
            self.signupDays = signupDays
        }
    }

    public struct DataQualityInfo: Codable, Sendable {
        public let lostEvents: Double
        public let duplicateUserShare: Double
        public let duplicateEventShare: Double
        public let lateEventProbability: Double
        public let lateDelayMedianHours: Double

        public init(
            lostEvents: Double, duplicateUserShare: Double, duplicateEventShare: Double, lateEventProbability: Double,
            lateDelayMedianHours: Double
        ) {
            self.lostEvents = lostEvents
            self.duplicateUserShare = duplicateUserShare
            self.duplicateEventShare = duplicateEventShare
            self.lateEventProbability = lateEventProbability
            self.lateDelayMedianHours = lateDelayMedianHours
        }
    }

    public struct PopulationInfo: Codable, Sendable {
        public let users: Int
        public let accounts: Int
        public let personas: [PersonaInfo]

        public init(users: Int, accounts: Int, personas: [PersonaInfo]) {
            self.users = users
            self.accounts = accounts
            self.personas = personas
        }
    }

    public struct PersonaInfo: Codable, Sendable {
        public let name: String
        public let share: Double
        public let users: Int
        public let accounts: Int

        public init(name: String, share: Double, users: Int, accounts: Int) {
            self.name = name
            self.share = share
            self.users = users
            self.accounts = accounts
        }
    }

    public struct PlanInfo: Codable, Sendable {
        public let name: String
        public let monthlyPriceCents: Int64

        public init(name: String, monthlyPriceCents: Int64) {
            self.name = name
            self.monthlyPriceCents = monthlyPriceCents
        }
    }

    public struct Summary: Codable, Sendable {
        public let signups: Int
        public let activations: Int
        /// Activated users over signed-up users.
        public let activationRate: Double
        public let churned: Int
        public let conversions: Int
        public let trialExpirations: Int
        /// Conversions over trials that ended.
        public let trialConversionRate: Double
        public let upgrades: Int
        public let downgrades: Int
        public let finalPayingUsers: Int
        public let finalMrrCents: Int
        public let totalRevenueCents: Int
        public let sessions: Int
        public let keyActions: Int
        public let npsResponses: Int
        /// Promoters minus detractors, in percent of responses, over the whole run.
        public let nps: Double?
        /// Mean of DAU/MAU over the days of the last 28 with MAU > 0.
        public let stickinessLast28Days: Double

        public init(
            signups: Int, activations: Int, activationRate: Double, churned: Int, conversions: Int,
            trialExpirations: Int, trialConversionRate: Double, upgrades: Int, downgrades: Int, finalPayingUsers: Int,
            finalMrrCents: Int, totalRevenueCents: Int, sessions: Int, keyActions: Int, npsResponses: Int, nps: Double?,
            stickinessLast28Days: Double
        ) {
            self.signups = signups
            self.activations = activations
            self.activationRate = activationRate
            self.churned = churned
            self.conversions = conversions
            self.trialExpirations = trialExpirations
            self.trialConversionRate = trialConversionRate
            self.upgrades = upgrades
            self.downgrades = downgrades
            self.finalPayingUsers = finalPayingUsers
            self.finalMrrCents = finalMrrCents
            self.totalRevenueCents = totalRevenueCents
            self.sessions = sessions
            self.keyActions = keyActions
            self.npsResponses = npsResponses
            self.nps = nps
            self.stickinessLast28Days = stickinessLast28Days
        }
    }

    public struct Day: Codable, Sendable {
        public let day: Int
        public let date: String
        public let signups: Int
        public let usersByState: [String: Int]
        public let dau: Int
        public let wau: Int
        public let mau: Int
        public let newActivations: Int
        public let churned: Int
        public let sessions: Int
        public let keyActions: Int
        public let npsResponses: Int
        public let trialUsers: Int
        public let conversions: Int
        public let trialExpirations: Int
        public let upgrades: Int
        public let downgrades: Int
        public let payingUsers: Int
        public let mrrCents: Int
        /// A day's share of a year of MRR, in whole cents (rounded half up).
        public let revenueCents: Int

        public init(
            day: Int, date: String, signups: Int, usersByState: [String: Int], dau: Int, wau: Int, mau: Int,
            newActivations: Int, churned: Int, sessions: Int, keyActions: Int, npsResponses: Int, trialUsers: Int,
            conversions: Int, trialExpirations: Int, upgrades: Int, downgrades: Int, payingUsers: Int, mrrCents: Int,
            revenueCents: Int
        ) {
            self.day = day
            self.date = date
            self.signups = signups
            self.usersByState = usersByState
            self.dau = dau
            self.wau = wau
            self.mau = mau
            self.newActivations = newActivations
            self.churned = churned
            self.sessions = sessions
            self.keyActions = keyActions
            self.npsResponses = npsResponses
            self.trialUsers = trialUsers
            self.conversions = conversions
            self.trialExpirations = trialExpirations
            self.upgrades = upgrades
            self.downgrades = downgrades
            self.payingUsers = payingUsers
            self.mrrCents = mrrCents
            self.revenueCents = revenueCents
        }
    }

    public init(
        schemaVersion: Int, scenario: ScenarioInfo, population: PopulationInfo, states: [String], plans: [PlanInfo],
        summary: Summary, days: [Day], segmentation: SegmentationResults, analysis: AnalysisResults,
        dataQuality: DataQualityInfo, experiment: ExperimentResults?, replicates: ReplicateResults?
    ) {
        self.schemaVersion = schemaVersion
        self.scenario = scenario
        self.population = population
        self.states = states
        self.plans = plans
        self.summary = summary
        self.days = days
        self.segmentation = segmentation
        self.analysis = analysis
        self.dataQuality = dataQuality
        self.experiment = experiment
        self.replicates = replicates
    }
}

/// The `analysis` part of a run's `results.json`: transitions, churn prediction, segment validity.
public struct AnalysisResults: Codable, Sendable {
    public let transitions: TransitionResults
    public let churnPrediction: PredictionResults
    public let segmentValidity: ValidityResults

    public init(transitions: TransitionResults, churnPrediction: PredictionResults, segmentValidity: ValidityResults) {
        self.transitions = transitions
        self.churnPrediction = churnPrediction
        self.segmentValidity = segmentValidity
    }
}
