import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The scaled forward–backward algorithm of L. R. Rabiner, "A tutorial on hidden Markov models and selected
/// applications in speech recognition", Proc. IEEE 77(2), 1989, section V.A, run per persona of the mixture.
///
/// Each day's forward vector is normalised to sum to 1 (α̂_t, scale c_t) and the backward vectors are divided by the
/// same c_t, so α̂_t(i)·β̂_t(i) is the posterior P(state i on day t | days) and log P(days) = Σ log c_t, whatever the
/// length of the user's observation. An active day's emissions are divided by their largest value before scaling
/// (the log of which is added back), so a day that is improbable in every state cannot underflow.
extension HMMInference {
    /// Smallest likelihood of a silent run taken from ``SilentRunTables``: below it the run is passed day by day,
    /// where the scaling keeps full precision. Far above the underflow threshold, so entries of the tables that did
    /// underflow are negligible next to it.
    static let smallestRunLikelihood = 1e-200

    /// One user's forward–backward pass. Leaves in `workspace` the log-likelihood, the persona responsibilities, the
    /// posterior probabilities of the live states on the days passed one by one (``UserWorkspace/gamma``), the
    /// expected days in each live state over the silent run, and the responsibility-weighted expected first states
    /// and transitions.
    ///
    /// - Parameters:
    ///   - silentRunShortcut: Handle the days after the last active day through ``SilentRunTables`` (the E-step),
    ///     or pass every day one by one (posteriors per day, and models too large for the tables). Both give the
    ///     same results up to rounding.
    ///   - backward: Whether to run the backward passes; without them only the log-likelihood, the responsibilities
    ///     and the forward vectors are left (filtering).
    func forwardBackward(user: Int, in workspace: UserWorkspace, silentRunShortcut: Bool, backward: Bool = true) {
        let observed = Int(data.observedDays[user])
        let range = data.activeRange(user: user)
        let zeroFrom = fillHabitLevels(user: user, days: observed, into: workspace.level)
        var passed = observed
        if silentRunShortcut, !silentRuns.isEmpty {
            // The run's nights must all be at habit level 0, its days silent.
            passed = min(observed, max(zeroFrom + 1, range.isEmpty ? 1 : Int(data.activeDay[range.upperBound - 1]) + 1))
        }
        workspace.logLikelihood = -.infinity
        var offset = fillEmissions(user: user, range: range, days: passed, in: workspace)
        guard offset > -.infinity else { return }
        if !forwardEveryPersona(days: passed, silentRun: observed - passed, offset: offset, in: workspace) {
            // A silent run too improbable for the tables' precision: pass it day by day.
            passed = observed
            offset = fillEmissions(user: user, range: range, days: passed, in: workspace)
            _ = forwardEveryPersona(days: passed, silentRun: 0, offset: offset, in: workspace)
        }
        guard mixPersonas(user: user, in: workspace), backward else { return }
        let live = liveStates
        for i in 0..<(passed * live) { workspace.gamma[i] = 0 }
        for i in 0..<live { workspace.silentRunDays[i] = 0 }
        for k in 0..<personaCount where workspace.responsibility[k] > Self.negligibleResponsibility {
            backwardPass(persona: k, in: workspace)
        }
    }

    /// A persona less likely than this for a user gets no backward pass: what it would add to the user's posteriors
    /// and expected counts is below the rounding of sums over thousands of users. Its forward pass still counts
    /// in the likelihood and the responsibilities.
    static let negligibleResponsibility = 1e-13

    /// Writes the scaled emission of every state on days `0..<days` and returns the log of the scale taken out,
    /// the key actions' −Σ log(a!) included; −∞ when an active day is impossible in every state.
    private func fillEmissions(user: Int, range: Range<Int>, days: Int, in workspace: UserWorkspace) -> Double {
        let n = stateCount
        let live = liveStates
        let silent = emissions.silentDay.baseAddress
        let activeDay = data.activeDay.baseAddress
        let level = data.sessionLevel.baseAddress
        let keyActions = data.keyActions.baseAddress
        let features = data.features.baseAddress
        let constant = data.keyActionLogConstant[user]
        return emissions.withLookup { lookup in
            var offset = constant
            var next = range.lowerBound
            for t in 0..<days {
                let row = workspace.emission + t * n
                guard next < range.upperBound, Int(activeDay[next]) == t else {
                    for s in 0..<n { row[s] = silent[s] }
                    continue
                }
                var largest = -Double.infinity
                let period = self.period(ofActive: next)
                for s in 0..<live {
                    let value = lookup.logActiveDay(
                        state: s, period: period, level: Int(level[next]), keyActions: keyActions[next],
                        features: features[next])
                    row[s] = value
                    largest = max(largest, value)
                }
                guard largest > -.infinity else { return -.infinity }
                for s in 0..<live { row[s] = exp(row[s] - largest) }
                row[live] = 0
                offset += largest
                next += 1
            }
            return offset
        }
    }

    /// The forward pass of every persona over the first `days` days, then the silent run from the tables.
    /// Returns false when a run's likelihood is below ``smallestRunLikelihood`` for some persona.
    private func forwardEveryPersona(days: Int, silentRun: Int, offset: Double, in workspace: UserWorkspace) -> Bool {
        let n = stateCount
        workspace.passedDays = days
        workspace.silentRun = silentRun
        for k in 0..<personaCount {
            let logScale = forward(persona: k, days: days, in: workspace)
            var run = 1.0
            if silentRun > 0, logScale > -.infinity {
                let last = workspace.alpha + (k * workspace.capacity + days - 1) * n
                let beta = silentRuns[k].silentLikelihood.baseAddress + silentRun * n
                run = 0
                for h in 0..<n { run += last[h] * beta[h] }
                guard run >= Self.smallestRunLikelihood else { return false }
            }
            workspace.runLikelihood[k] = run
            workspace.personaLogLikelihood[k] = logScale + log(run) + offset
        }
        return true
    }

    /// The scaled forward pass of persona k over days `0..<days`; returns Σ log c_t, or −∞ when the days are
    /// impossible for the persona.
    func forward(persona k: Int, days: Int, in workspace: UserWorkspace) -> Double {
        switch stateCount {
        case 16...: forward(SIMD16<Double>.self, persona: k, days: days, in: workspace)
        case 8...: forward(SIMD8<Double>.self, persona: k, days: days, in: workspace)
        case 4...: forward(SIMD4<Double>.self, persona: k, days: days, in: workspace)
        default: forward(SIMD2<Double>.self, persona: k, days: days, in: workspace)
        }
    }

    /// The forward pass with the first `V.scalarCount` states of a day (at most all of them) in one vector and the
    /// rest, fewer than that, in a second one (``Tail``).
    ///
    /// Each state's sum over yesterday's states runs in the same order as one scalar loop would run it, and the day's
    /// total adds the states in order, so the numbers are bit-for-bit those of scalar loops; the vectors only let the
    /// states of a day be computed side by side, where scalar loops wait on each other's additions.
    private func forward<V: SIMD>(_: V.Type, persona k: Int, days: Int, in workspace: UserWorkspace) -> Double
    where V.Scalar == Double {
        let n = stateCount
        let width = V.scalarCount
        let tails = n - width
        let start = initial.baseAddress + k * n
        let matrices = transitions.baseAddress + k * levelCount * n * n
        let level = workspace.level
        let alpha = workspace.alpha + k * workspace.capacity * n
        let scale = workspace.scale + k * workspace.capacity
        let emission = workspace.emission
        var logScale = LogProduct()
        var total = 0.0
        for j in 0..<n {
            alpha[j] = start[j] * emission[j]
            total += alpha[j]
        }
        guard total > 0 else { return -.infinity }
        let inverse = 1 / total
        for j in 0..<n { alpha[j] *= inverse }
        scale[0] = total
        logScale.multiply(by: total)
        for t in 1..<days {
            let previous = alpha + (t - 1) * n
            let current = alpha + t * n
            let row = emission + t * n
            let a = matrices + Int(level[t - 1]) * n * n
            var head = V(repeating: 0)
            var tail = Tail(repeating: 0)
            for i in 0..<n {
                let p = previous[i]
                let from = a + i * n
                head += V(repeating: p) * V.load(from)
                for j in 0..<tails { tail[j] += p * from[width + j] }
            }
            head *= V.load(row)
            total = 0
            for j in 0..<width { total += head[j] }
            for j in 0..<tails {
                tail[j] *= row[width + j]
                total += tail[j]
            }
            guard total > 0 else { return -.infinity }
            let inverse = 1 / total
            (head * inverse).store(to: current)
            for j in 0..<tails { current[width + j] = tail[j] * inverse }
            scale[t] = total
            logScale.multiply(by: total)
        }
        return logScale.logarithm
    }

    /// The user's log-likelihood and P(persona | days, account size) from the personas' shares, their likelihoods of
    /// the days and of the user's account size class; false when the days are impossible for every persona.
    private func mixPersonas(user: Int, in workspace: UserWorkspace) -> Bool {
        var largest = -Double.infinity
        for k in 0..<personaCount {
            let joint = logPersonaPrior(k, user: user) + workspace.personaLogLikelihood[k]
            workspace.responsibility[k] = joint
            largest = max(largest, joint)
        }
        guard largest > -.infinity, largest.isFinite else { return false }
        var total = 0.0
        for k in 0..<personaCount {
            let weight = exp(workspace.responsibility[k] - largest)
            workspace.responsibility[k] = weight
            total += weight
        }
        for k in 0..<personaCount { workspace.responsibility[k] /= total }
        workspace.logLikelihood = largest + log(total)
        return true
    }

    /// The scaled backward pass of persona k: adds its responsibility-weighted posteriors to
    /// ``UserWorkspace/gamma`` and ``UserWorkspace/silentRunDays`` and writes its expected first states and
    /// transitions.
    ///
    /// The expected transitions between the days passed, ξ_ℓ(i, j) = A^ℓ_ij Σ_{t: night t−1 at level ℓ}
    /// α̂_{t−1}(i) v_t(j) with v_t(j) = b_j(t) β̂_t(j) / c_t, are summed on the way, while day t's vectors are at hand.
    private func backwardPass(persona k: Int, in workspace: UserWorkspace) {
        switch stateCount {
        case 16...: backwardPass(SIMD16<Double>.self, persona: k, in: workspace)
        case 8...: backwardPass(SIMD8<Double>.self, persona: k, in: workspace)
        case 4...: backwardPass(SIMD4<Double>.self, persona: k, in: workspace)
        default: backwardPass(SIMD2<Double>.self, persona: k, in: workspace)
        }
    }

    /// The backward pass with the vectors split as in the forward pass: β̂_{t−1}(i) = Σ_j A_ij v_t(j) for the first
    /// `V.scalarCount` states i side by side (from the transposed matrix, each sum over j in order), and each row of
    /// the transition sums updated a vector of states j at a time. Bit-for-bit the numbers of scalar loops.
    private func backwardPass<V: SIMD>(_: V.Type, persona k: Int, in workspace: UserWorkspace)
    where V.Scalar == Double {
        let n = stateCount
        let live = liveStates
        let width = V.scalarCount
        let days = workspace.passedDays
        let weight = workspace.responsibility[k]
        let matrices = transitions.baseAddress + k * levelCount * n * n
        let columns = transposedTransitions.baseAddress + k * levelCount * n * n
        let level = workspace.level
        let alpha = workspace.alpha + k * workspace.capacity * n
        let scale = workspace.scale + k * workspace.capacity
        let emission = workspace.emission
        let gamma = workspace.gamma
        let weighted = workspace.weighted
        let block = live * n
        let sums = workspace.levelSums
        for i in 0..<(levelCount * block) { sums[i] = 0 }
        var beta = workspace.beta
        var nextBeta = workspace.nextBeta
        if workspace.silentRun > 0 {
            let runBeta = silentRuns[k].silentLikelihood.baseAddress + workspace.silentRun * n
            for j in 0..<n { beta[j] = runBeta[j] / workspace.runLikelihood[k] }
        } else {
            for j in 0..<n { beta[j] = 1 }
        }
        let own: UnsafeMutablePointer<Double>? =
            workspace.keepsPersonaStates ? workspace.personaGamma + k * workspace.capacity * live : nil
        var t = days - 1
        while t > 0 {
            let today = alpha + t * n
            for i in 0..<live { gamma[t * live + i] += weight * today[i] * beta[i] }
            if let own { for i in 0..<live { own[t * live + i] = today[i] * beta[i] } }
            let inverse = 1 / scale[t]
            let row = emission + t * n
            let v = V.load(row) * V.load(beta) * inverse
            v.store(to: weighted)
            for j in width..<n { weighted[j] = row[j] * beta[j] * inverse }
            let night = Int(level[t - 1])
            let a = matrices + night * n * n
            let transposed = columns + night * n * n
            let yesterday = alpha + (t - 1) * n
            let target = sums + night * block
            // β̂_{t−1}: lane i sums A_ij v_t(j) over j in order; the churned state's is v_t(churned) (below).
            var head = V(repeating: 0)
            for j in 0..<n { head += V(repeating: weighted[j]) * V.load(transposed + j * n) }
            head.store(to: nextBeta)
            for i in min(width, live)..<live {
                let from = a + i * n
                var sum = 0.0
                for j in 0..<n { sum += from[j] * weighted[j] }
                nextBeta[i] = sum
            }
            nextBeta[live] = weighted[live]
            for i in 0..<live {
                let before = yesterday[i]
                let pairs = target + i * n
                (V.load(pairs) + V(repeating: before) * v).store(to: pairs)
                for j in width..<n { pairs[j] += before * weighted[j] }
            }
            swap(&beta, &nextBeta)
            t -= 1
        }
        let initialCounts = workspace.initialCounts + k * live
        for i in 0..<live {
            let first = alpha[i] * beta[i]
            gamma[i] += weight * first
            own?[i] = first
            initialCounts[i] = weight * first
        }
        // Level 0 first: the silent run's nights are all at level 0.
        let counts = workspace.transitionCounts + k * levelCount * block
        for l in 0..<levelCount {
            let a = matrices + l * n * n
            for i in 0..<block { counts[l * block + i] = a[i] * sums[l * block + i] }
        }
        if workspace.silentRun > 0 {
            addSilentRun(persona: k, last: alpha + (days - 1) * n, counts: counts, in: workspace)
        }
        for i in 0..<(levelCount * block) { counts[i] *= weight }
    }

    /// Adds the silent run's expected transitions to `counts` and its weighted expected days per state to
    /// ``UserWorkspace/silentRunDays``, from the filtered distribution `last` of the last day passed.
    private func addSilentRun(
        persona k: Int, last: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Double>,
        in workspace: UserWorkspace
    ) {
        let n = stateCount
        let live = liveStates
        let run = workspace.silentRun
        let inverse = 1 / workspace.runLikelihood[k]
        let weight = workspace.responsibility[k]
        let stateDays = silentRuns[k].stateDays.baseAddress + run * live * live
        let transitionDays = silentRuns[k].transitionDays.baseAddress + run * live * live * n
        for i in 0..<live {
            var days = 0.0
            for h in 0..<live { days += last[h] * stateDays[h * live + i] }
            workspace.silentRunDays[i] += weight * days * inverse
            for j in 0..<n {
                var pairs = 0.0
                for h in 0..<live { pairs += last[h] * transitionDays[(h * live + i) * n + j] }
                counts[i * n + j] += pairs * inverse
            }
        }
    }
}

/// The second vector of a day's states in the forward pass: those past the first vector, fewer than 8 with at most
/// 17 states (``HiddenMarkovModel/maximumLiveStates`` live ones and churned).
private typealias Tail = SIMD8<Double>

extension SIMD where Scalar == Double {
    /// The `scalarCount` numbers from `pointer` on.
    @inline(__always)
    fileprivate static func load(_ pointer: UnsafePointer<Double>) -> Self {
        UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    fileprivate static func load(_ pointer: UnsafeMutablePointer<Double>) -> Self {
        UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    /// Writes the lanes to `pointer` on.
    @inline(__always)
    fileprivate func store(to pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }
}

/// log Π c_t without a logarithm per factor: factors are multiplied into a running product, whose logarithm is
/// taken only when it nears the bottom of the normal range. A factor below 1e-100 goes straight to the logarithm,
/// so the product never leaves the normal range.
struct LogProduct {
    private var product = 1.0
    private var logSum = 0.0

    @inline(__always)
    mutating func multiply(by factor: Double) {
        if factor < 1e-100 {
            logSum += log(factor)
            return
        }
        product *= factor
        if product < 1e-200 {
            logSum += log(product)
            product = 1
        }
    }

    var logarithm: Double { logSum + log(product) }
}
