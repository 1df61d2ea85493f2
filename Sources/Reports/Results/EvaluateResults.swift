public import Analysis

/// `results.json` of `segmentlab evaluate`.
public struct EvaluateResults: Codable, Sendable {
    public let schemaVersion: Int
    public let source: ImportResults.Source
    public let `import`: ImportResults.Summary
    public let cutoff: String
    public let horizonDays: Int
    /// Churn on a log: no key action in the horizon.
    public var churnDefinition = "no key action in the horizon after the cutoff"
    public let transitions: TransitionResults
    public let churnPrediction: PredictionResults
    /// Retention and conversion in the horizon by segment on the cutoff day.
    public let segmentOutcomes: [String: HorizonOutcome]

    public init(
        schemaVersion: Int, source: ImportResults.Source, import summary: ImportResults.Summary, cutoff: String,
        horizonDays: Int, transitions: TransitionResults, churnPrediction: PredictionResults,
        segmentOutcomes: [String: HorizonOutcome]
    ) {
        self.schemaVersion = schemaVersion
        self.source = source
        self.import = summary
        self.cutoff = cutoff
        self.horizonDays = horizonDays
        self.transitions = transitions
        self.churnPrediction = churnPrediction
        self.segmentOutcomes = segmentOutcomes
    }
}
