import Stats

/// A finite discrete-time Markov chain, e.g. of users moving between segments from one evaluation to the next.
///
/// Long-run shares and absorption (churn) questions reduce to linear systems, which are solved by GSL's LU solver
/// through ``Stats/Matrix`` rather than by iterating the chain, so answers are exact up to rounding.
public struct MarkovChain: Sendable {
    /// Row-stochastic transition matrix: `probabilities[i][j]` = P(next = j | now = i).
    public let probabilities: [[Double]]
    /// States whose row in ``estimate(counts:)`` had no observations and was made a self-loop (sorted). Their row
    /// is a placeholder, not an estimate: treat answers involving them with care.
    public let unobservedStates: [Int]

    public var stateCount: Int { probabilities.count }

    /// A chain from a transition matrix.
    /// - Throws: ``Stats/GSLError`` (`GSL_EDOM`) unless the matrix is non-empty, square, with finite entries in [0, 1]
    ///   and every row summing to 1 within 1e-9.
    public init(probabilities: [[Double]]) throws {
        try self.init(probabilities: probabilities, unobservedStates: [], function: "MarkovChain(probabilities:)")
    }

    private init(probabilities: [[Double]], unobservedStates: [Int], function: String) throws {
        let n = probabilities.count
        guard n > 0 else { throw domainError(function, "the chain needs at least one state") }
        for (i, row) in probabilities.enumerated() {
            guard row.count == n else {
                throw domainError(function, "matrix must be square: row \(i) has \(row.count) entries for \(n) states")
            }
            if let j = row.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw domainError(function, "probabilities must be in [0, 1] (entry (\(i), \(j)) is \(row[j]))")
            }
            let sum = row.reduce(0, +)
            guard abs(sum - 1) <= 1e-9 else {
                throw domainError(function, "row \(i) must sum to 1 (it sums to \(sum))")
            }
        }
        self.probabilities = probabilities
        self.unobservedStates = unobservedStates
    }

    /// The maximum-likelihood chain for observed transition counts: each row divided by its total. A row with no
    /// observations becomes a self-loop (probability 1 of staying), so the matrix stays stochastic, and is listed in
    /// ``unobservedStates``.
    /// - Throws: ``Stats/GSLError`` (`GSL_EDOM`) for an empty or non-square table or negative counts.
    public static func estimate(counts: [[Int]]) throws -> MarkovChain {
        let function = "MarkovChain.estimate(counts:)"
        let n = counts.count
        var rows: [[Double]] = []
        var unobserved: [Int] = []
        for (i, row) in counts.enumerated() {
            guard row.count == n else {
                throw domainError(function, "counts must be square: row \(i) has \(row.count) entries for \(n) states")
            }
            if let j = row.firstIndex(where: { $0 < 0 }) {
                throw domainError(function, "counts must be non-negative (entry (\(i), \(j)) is \(row[j]))")
            }
            let total = row.reduce(0, +)
            if total == 0 {
                unobserved.append(i)
                rows.append((0..<n).map { $0 == i ? 1 : 0 })
            } else {
                rows.append(row.map { Double($0) / Double(total) })
            }
        }
        return try MarkovChain(probabilities: rows, unobservedStates: unobserved, function: function)
    }

    // MARK: - Structure

    /// `reach[i][j]`: j can be reached from i in zero or more steps (transitive closure of the positive entries).
    func reachability() -> [[Bool]] {
        let n = stateCount
        var reach = (0..<n).map { i in (0..<n).map { j in i == j || probabilities[i][j] > 0 } }
        for k in 0..<n {
            for i in 0..<n where reach[i][k] {
                for j in 0..<n where reach[k][j] {
                    reach[i][j] = true
                }
            }
        }
        return reach
    }

    /// The closed communicating classes (recurrent classes of a finite chain), each sorted, ordered by first state.
    /// A chain has a unique stationary distribution exactly when there is one.
    public func closedClasses() -> [[Int]] {
        let n = stateCount
        let reach = reachability()
        var assigned = [Bool](repeating: false, count: n)
        var classes: [[Int]] = []
        for i in 0..<n where !assigned[i] {
            let members = (0..<n).filter { reach[i][$0] && reach[$0][i] }
            for member in members {
                assigned[member] = true
            }
            // Closed: everything reachable from the class is in the class.
            if (0..<n).allSatisfy({ !reach[i][$0] || reach[$0][i] }) {
                classes.append(members)
            }
        }
        return classes
    }

    // MARK: - Long run

    /// The stationary distribution π with πP = π and Σπ = 1.
    ///
    /// Solves (Pᵀ − I)π = 0 with its last equation replaced by Σπ = 1 (GSL LU). The replaced equation is redundant
    /// because the equations sum to zero, and with a single closed class the system is nonsingular. Transient states
    /// get 0. Rounding residue below 1e-12 is cleared to 0.
    /// - Throws: ``Stats/GSLError`` (`GSL_EDOM`) when the chain has several closed classes: then every mixture of
    ///   their stationary distributions is stationary and no single answer is right.
    public func stationaryDistribution() throws -> [Double] {
        let function = "MarkovChain.stationaryDistribution()"
        let classes = closedClasses()
        guard classes.count == 1 else {
            throw domainError(
                function,
                "the chain has \(classes.count) closed classes \(classes), so the stationary distribution"
                    + " is not unique; analyse each class separately")
        }
        let n = stateCount
        var system = Stats.Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0..<n {
                system[i, j] = (i == n - 1) ? 1 : probabilities[j][i] - (i == j ? 1 : 0)
            }
        }
        var rhs = [Double](repeating: 0, count: n)
        rhs[n - 1] = 1
        let pi = try system.solve(rhs)
        return pi.map { abs($0) < 1e-12 ? 0 : $0 }
    }

    // MARK: - Absorption

    /// Expected number of steps until the chain first enters `absorbing`, from each state: t = N·1 with the
    /// fundamental matrix N = (I − Q)⁻¹, Q the transitions among the other (transient) states. `nil` for the
    /// absorbing states themselves.
    ///
    /// The set is treated as absorbing whatever its rows say, so this is also the expected first-passage time into
    /// any set of states (e.g. "churned").
    /// - Throws: ``Stats/GSLError`` (`GSL_EDOM`) for an empty set, an index out of range, or a state outside the set
    ///   that cannot reach it (its expected time is infinite).
    public func expectedStepsToAbsorption(absorbing: Set<Int>) throws -> [Double?] {
        let split = try partition(absorbing: absorbing, function: "MarkovChain.expectedStepsToAbsorption(absorbing:)")
        var result = [Double?](repeating: nil, count: stateCount)
        guard !split.transient.isEmpty else { return result }
        let steps = try split.iMinusQ.solve([Double](repeating: 1, count: split.transient.count))
        for (index, state) in split.transient.enumerated() {
            result[state] = steps[index]
        }
        return result
    }

    /// Probability of entering the absorbing set first at each of its states: B = N·R, R the transitions from the
    /// transient states into the set.
    ///
    /// One row per state (all states, in order), one column per absorbing state in ascending order; rows sum to 1.
    /// An absorbing state's row is 1 in its own column. Throws like ``expectedStepsToAbsorption(absorbing:)``.
    public func absorptionProbabilities(absorbing: Set<Int>) throws -> [[Double]] {
        let split = try partition(absorbing: absorbing, function: "MarkovChain.absorptionProbabilities(absorbing:)")
        let targets = split.absorbing
        var result = (0..<stateCount).map { state in targets.map { $0 == state ? 1.0 : 0.0 } }
        guard !split.transient.isEmpty else { return result }
        var r = Stats.Matrix(rows: split.transient.count, columns: targets.count)
        for (row, state) in split.transient.enumerated() {
            for (column, target) in targets.enumerated() {
                r[row, column] = probabilities[state][target]
            }
        }
        let b = try split.iMinusQ.inverse().multiplied(by: r)
        for (row, state) in split.transient.enumerated() {
            result[state] = b.row(row)
        }
        return result
    }

    private struct Partition {
        let absorbing: [Int]
        let transient: [Int]
        /// I − Q over the transient states, in the order of `transient`.
        let iMinusQ: Stats.Matrix
    }

    private func partition(absorbing set: Set<Int>, function: String) throws -> Partition {
        guard !set.isEmpty else { throw domainError(function, "the absorbing set is empty") }
        if let bad = set.sorted().first(where: { $0 < 0 || $0 >= stateCount }) {
            throw domainError(function, "absorbing state \(bad) is not a state of this \(stateCount)-state chain")
        }
        let absorbing = set.sorted()
        let transient = (0..<stateCount).filter { !set.contains($0) }
        let reach = reachability()
        let stuck = transient.filter { state in !absorbing.contains { reach[state][$0] } }
        guard stuck.isEmpty else {
            throw domainError(
                function, "states \(stuck) cannot reach the absorbing set \(absorbing), so they are never absorbed")
        }
        var iMinusQ = Stats.Matrix(rows: transient.count, columns: transient.count)
        for (row, from) in transient.enumerated() {
            for (column, to) in transient.enumerated() {
                iMinusQ[row, column] = (row == column ? 1 : 0) - probabilities[from][to]
            }
        }
        return Partition(absorbing: absorbing, transient: transient, iMinusQ: iMinusQ)
    }
}

private func domainError(_ function: String, _ reason: String) -> GSLError {
    GSLError(code: GSLError.domain, reason: reason, function: function)
}
