import Segmentation
import UsageModel

/// The `segmentation` part of `results.json`: definitions, sizes per evaluation and transition counts.
struct SegmentationResults: Encodable {
    let every: String
    let segments: [Definition]
    let tags: [Definition]
    /// Row and column labels of every transition matrix: the segments, then `unmatched` and `not_signed_up`.
    let transitionStates: [String]
    let evaluations: [Evaluation]
    /// Transitions summed over all pairs of consecutive evaluations, row-major over `transition_states`.
    let totalTransitions: [[Int]]

    struct Definition: Encodable {
        let name: String
        let when: String
        let description: String?
    }

    struct Evaluation: Encodable {
        let index: Int
        let day: Int
        let date: String
        let sizes: [String: Int]
        let unmatched: Int
        let notSignedUp: Int
        let tags: [String: Int]
        /// From the previous evaluation; absent at the first.
        let transitions: [[Int]]?
    }

    init(_ engine: SegmentationEngine) {
        let compiled = engine.compiled
        let names = compiled.segmentNames
        every = compiled.spec.every.rawValue
        segments = compiled.spec.segments.map { Definition(name: $0.name, when: $0.when, description: $0.description) }
        tags = compiled.spec.tags.map { Definition(name: $0.name, when: $0.when, description: $0.description) }
        transitionStates = names + ["unmatched", "not_signed_up"]
        let k = transitionStates.count
        func matrix(_ flat: [Int]) -> [[Int]] { (0..<k).map { Array(flat[($0 * k)..<($0 * k + k)]) } }
        var total = [Int](repeating: 0, count: k * k)
        evaluations = engine.evaluations.map { e in
            if let t = e.transitions { for i in total.indices { total[i] += t[i] } }
            return Evaluation(
                index: e.index, day: e.day, date: e.date.description,
                sizes: Dictionary(uniqueKeysWithValues: zip(names, e.sizes)), unmatched: e.unmatched,
                notSignedUp: e.notSignedUp, tags: Dictionary(uniqueKeysWithValues: zip(compiled.tagNames, e.tagCounts)),
                transitions: e.transitions.map(matrix))
        }
        totalTransitions = matrix(total)
    }
}
