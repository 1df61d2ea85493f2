import Analysis
import Stats
import Testing

// Known results: the two-state chain and the gambler's ruin chain are worked in Grinstead & Snell, Introduction to
// Probability (2nd ed., AMS 1997), chapter 11 (Markov Chains): §11.2 absorbing chains (fundamental matrix, time to
// absorption t = N·1, absorption probabilities B = N·R; the random walk with absorbing barriers) and §11.3 ergodic
// chains (the two-state chain's fixed vector (b/(a+b), a/(a+b))).

@Suite("Markov chains through the GSL LU solver")
struct MarkovChainTests {
    @Test(arguments: [(0.3, 0.1), (0.5, 0.5), (0.01, 0.9)])
    func twoStateStationaryDistribution(a: Double, b: Double) throws {
        let chain = try MarkovChain(probabilities: [[1 - a, a], [b, 1 - b]])
        let pi = try chain.stationaryDistribution()
        #expect(abs(pi[0] - b / (a + b)) < 1e-14 && abs(pi[1] - a / (a + b)) < 1e-14, "\(pi)")
    }

    @Test func periodicAndTransientStationaryDistributions() throws {
        // Period 2: still a unique fixed vector, (1/2, 1/2).
        let flip = try MarkovChain(probabilities: [[0, 1], [1, 0]]).stationaryDistribution()
        #expect(abs(flip[0] - 0.5) < 1e-15 && abs(flip[1] - 0.5) < 1e-15)
        // State 0 is transient, so all long-run mass sits in state 1.
        #expect(try MarkovChain(probabilities: [[0.5, 0.5], [0, 1]]).stationaryDistribution() == [0, 1])
    }

    @Test func severalClosedClassesThrow() throws {
        let chain = try MarkovChain(probabilities: [[1, 0, 0], [0.2, 0.6, 0.2], [0, 0, 1]])
        #expect(chain.closedClasses() == [[0], [2]])
        let error = #expect(throws: GSLError.self) { try chain.stationaryDistribution() }
        #expect(error?.reason.contains("not unique") == true)
    }

    /// Gambler's ruin with fair coin, states 0...4, 0 and 4 absorbing: from k, E[steps] = k(4 − k) and
    /// P(absorbed at 4) = k/4 (Grinstead & Snell §11.2).
    @Test func gamblersRuin() throws {
        var rows = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 5)
        rows[0][0] = 1
        rows[4][4] = 1
        for k in 1...3 {
            rows[k][k - 1] = 0.5
            rows[k][k + 1] = 0.5
        }
        let chain = try MarkovChain(probabilities: rows)
        let steps = try chain.expectedStepsToAbsorption(absorbing: [0, 4])
        #expect(steps[0] == nil && steps[4] == nil)
        for k in 1...3 {
            let expected = Double(k * (4 - k))
            #expect(abs((steps[k] ?? .nan) - expected) < 1e-13, "k = \(k): \(String(describing: steps[k]))")
        }
        let b = try chain.absorptionProbabilities(absorbing: [4, 0])
        // Columns follow the absorbing states in ascending order: 0, then 4.
        #expect(b[0] == [1, 0] && b[4] == [0, 1])
        for k in 1...3 {
            #expect(abs(b[k][1] - Double(k) / 4) < 1e-14 && abs(b[k][0] - Double(4 - k) / 4) < 1e-14, "\(b[k])")
        }
    }

    @Test func estimateDividesRowsAndFlagsEmptyOnes() throws {
        let chain = try MarkovChain.estimate(counts: [[3, 1, 0], [0, 0, 0], [2, 2, 4]])
        #expect(chain.probabilities == [[0.75, 0.25, 0], [0, 1, 0], [0.25, 0.25, 0.5]])
        #expect(chain.unobservedStates == [1])
        #expect(throws: GSLError.self) { try MarkovChain.estimate(counts: [[1, -1], [0, 1]]) }
        #expect(throws: GSLError.self) { try MarkovChain.estimate(counts: [[1, 1], [0]]) }
        #expect(throws: GSLError.self) { try MarkovChain.estimate(counts: []) }
    }

    @Test func unreachableAbsorbingSetThrows() throws {
        // States 1 and 2 only move between themselves and never reach state 0.
        let chain = try MarkovChain(probabilities: [[1, 0, 0], [0, 0.5, 0.5], [0, 0.5, 0.5]])
        let error = #expect(throws: GSLError.self) { try chain.expectedStepsToAbsorption(absorbing: [0]) }
        #expect(error?.reason.contains("states [1, 2] cannot reach") == true, "\(String(describing: error))")
        #expect(throws: GSLError.self) { try chain.absorptionProbabilities(absorbing: [0]) }
        #expect(throws: GSLError.self) { try chain.expectedStepsToAbsorption(absorbing: []) }
        #expect(throws: GSLError.self) { try chain.expectedStepsToAbsorption(absorbing: [3]) }
    }

    @Test func invalidMatricesThrow() {
        let cases: [[[Double]]] = [
            [], [[0.5, 0.4], [0, 1]], [[1.5, -0.5], [0, 1]], [[1, 0]], [[.nan, 1], [0, 1]],
        ]
        for rows in cases {
            #expect(throws: GSLError.self, "\(rows)") { try MarkovChain(probabilities: rows) }
        }
    }
}
