/// The `segmentation` part of `results.json`: definitions, sizes per evaluation and transition counts.
public struct SegmentationResults: Codable, Sendable {
    public let every: String
    public let segments: [Definition]
    public let tags: [Definition]
    /// Row and column labels of every transition matrix: the segments, then `unmatched` and `not_signed_up`.
    public let transitionStates: [String]
    public let evaluations: [Evaluation]
    /// Transitions summed over all pairs of consecutive evaluations, row-major over `transition_states`.
    public let totalTransitions: [[Int]]

    public struct Definition: Codable, Sendable {
        public let name: String
        public let when: String
        public let description: String?

        public init(name: String, when: String, description: String?) {
            self.name = name
            self.when = when
            self.description = description
        }
    }

    public struct Evaluation: Codable, Sendable {
        public let index: Int
        public let day: Int
        public let date: String
        public let sizes: [String: Int]
        public let unmatched: Int
        public let notSignedUp: Int
        public let tags: [String: Int]
        /// From the previous evaluation; absent at the first.
        public let transitions: [[Int]]?

        public init(
            index: Int, day: Int, date: String, sizes: [String: Int], unmatched: Int, notSignedUp: Int,
            tags: [String: Int], transitions: [[Int]]?
        ) {
            self.index = index
            self.day = day
            self.date = date
            self.sizes = sizes
            self.unmatched = unmatched
            self.notSignedUp = notSignedUp
            self.tags = tags
            self.transitions = transitions
        }
    }

    public init(
        every: String, segments: [Definition], tags: [Definition], transitionStates: [String],
        evaluations: [Evaluation], totalTransitions: [[Int]]
    ) {
        self.every = every
        self.segments = segments
        self.tags = tags
        self.transitionStates = transitionStates
        self.evaluations = evaluations
        self.totalTransitions = totalTransitions
    }
}
