public import UsageModel

/// Segment definitions as written: an ordered list where the first match wins, plus tags.
public struct SegmentationSpec: Sendable, Equatable {
    public var every: EvaluationInterval
    public var segments: [RuleDefinition]
    public var tags: [RuleDefinition]
    /// Activation milestones by name; `nil` means every milestone of the product.
    public var activation: [String]?
    public var habitualFeatureDays: Int
    public var heavyDays: Int
    public var moderateDays: Int
    public var engagement: EngagementWeights
    /// Segments whose users count as at risk of churning, for the rule predictor of churn; `nil`
    /// means `declining` and `dormant`, those of them that exist.
    public var atRisk: [String]?

    public init(
        every: EvaluationInterval = .week, segments: [RuleDefinition], tags: [RuleDefinition] = [],
        activation: [String]? = nil, habitualFeatureDays: Int = 4, heavyDays: Int = 16, moderateDays: Int = 6,
        engagement: EngagementWeights = EngagementWeights(), atRisk: [String]? = nil
    ) {
        self.every = every
        self.segments = segments
        self.tags = tags
        self.activation = activation
        self.habitualFeatureDays = habitualFeatureDays
        self.heavyDays = heavyDays
        self.moderateDays = moderateDays
        self.engagement = engagement
        self.atRisk = atRisk
    }

    /// Most segments a run may define: memberships are stored in a byte with 0xFF for "not signed up".
    public static let maxSegments = 254
    /// Tags are a bit set per user.
    public static let maxTags = 32
}

public struct RuleDefinition: Sendable, Equatable {
    public var name: String
    public var when: String
    public var description: String?

    public init(name: String, when: String, description: String? = nil) {
        self.name = name
        self.when = when
        self.description = description
    }
}

public enum EvaluationInterval: String, Sendable, CaseIterable, Codable {
    case day, week

    public var days: Int { self == .day ? 1 : 7 }
}

/// Why a segmentation spec cannot be compiled for a product.
public struct SegmentationSpecError: ExitStatusError, Sendable {
    public var exitStatus: Int32 { 2 }

    public struct Problem: Sendable, Equatable {
        /// Which definition: `segments[2].when`, `tags[0].when`, `activation[1]`.
        public let path: String
        /// 1-based column inside the rule text, when the problem is in a rule.
        public let column: Int?
        public let message: String
    }

    public let problems: [Problem]

    public var description: String {
        problems.map { p in
            p.path + ": " + (p.column.map { "column \($0): " } ?? "") + p.message
        }.joined(separator: "\n")
    }
}

/// A spec compiled against a product's catalog, ready for the engine.
public struct CompiledSegmentation: Sendable {
    public let spec: SegmentationSpec
    public let vocabulary: Vocabulary
    public let catalog: MetricCatalog
    let metrics: [Metric]
    let segments: [CompiledRule]
    let tags: [CompiledRule]
    let settings: WindowSettings
    let needsAccounts: Bool

    public var segmentNames: [String] { spec.segments.map(\.name) }
    public var tagNames: [String] { spec.tags.map(\.name) }
    /// The milestones (indices into the vocabulary's) whose completion, all of them, is activation.
    public var activationMilestones: [Int] { settings.activationMilestones }
    /// The at-risk segments by name, in the order given.
    public var atRiskNames: [String] {
        spec.atRisk ?? ["declining", "dormant"].filter(segmentNames.contains)
    }

    /// Compiles every rule, collecting every problem.
    public init(_ spec: SegmentationSpec, vocabulary: Vocabulary) throws(SegmentationSpecError) {
        let (catalog, metrics) = MetricCatalog.standard(vocabulary)
        var problems: [SegmentationSpecError.Problem] = []
        func compile(_ list: [RuleDefinition], _ key: String) -> [CompiledRule] {
            var out: [CompiledRule] = []
            for (i, definition) in list.enumerated() {
                do {
                    out.append(try RuleCompiler.compile(definition.when, catalog: catalog))
                } catch {
                    problems.append(.init(path: "\(key)[\(i)].when", column: error.column, message: error.message))
                }
            }
            return out
        }
        let segments = compile(spec.segments, "segments")
        let tags = compile(spec.tags, "tags")
        if spec.segments.isEmpty {
            problems.append(.init(path: "segments", column: nil, message: "at least one segment is needed"))
        }
        if spec.segments.count > SegmentationSpec.maxSegments {
            problems.append(
                .init(path: "segments", column: nil, message: "at most \(SegmentationSpec.maxSegments) segments"))
        }
        if spec.tags.count > SegmentationSpec.maxTags {
            problems.append(.init(path: "tags", column: nil, message: "at most \(SegmentationSpec.maxTags) tags"))
        }
        var activation: [Int] = []
        for (i, name) in (spec.activation ?? vocabulary.milestones).enumerated() {
            if let m = vocabulary.milestones.firstIndex(of: name) {
                activation.append(m)
            } else {
                problems.append(.init(path: "activation[\(i)]", column: nil, message: "unknown milestone '\(name)'"))
            }
        }
        for (i, name) in (spec.atRisk ?? []).enumerated() where !spec.segments.contains(where: { $0.name == name }) {
            problems.append(
                .init(
                    path: "at_risk[\(i)]", column: nil,
                    message: "unknown segment '\(name)'"
                        + NameSuggestion.hint(for: name, among: spec.segments.map(\.name))))
        }
        guard problems.isEmpty else { throw SegmentationSpecError(problems: problems) }
        self.spec = spec
        self.vocabulary = vocabulary
        self.catalog = catalog
        self.metrics = metrics
        self.segments = segments
        self.tags = tags
        settings = WindowSettings(
            habitualFeatureDays: spec.habitualFeatureDays, heavyDays: spec.heavyDays, moderateDays: spec.moderateDays,
            activationMilestones: activation, engagement: spec.engagement)
        needsAccounts = (segments + tags).contains { rule in
            rule.metrics.contains { metrics[Int($0.raw)].isAccountLevel }
        }
    }
}
