import UsageModel

extension HMMInference {
    /// Users per chunk of the E-step. Chunks, not threads, fix the order of every sum: each chunk's users are added
    /// in order into the chunk's own partial sums, and the partial sums are added in chunk order, so the statistics
    /// are bit-for-bit the same at any thread count (DESIGN.md invariant 1).
    static let usersPerChunk = 256

    /// The E-step: one forward–backward pass per user, on `threads` workers dealt the chunks in turn.
    func expectedStatistics(threads: Int) -> SufficientStatistics {
        let layout = statisticsLayout
        let users = data.userCount
        let chunks = (users + Self.usersPerChunk - 1) / Self.usersPerChunk
        var partial = [Double](repeating: 0, count: chunks * layout.count)
        partial.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let shares = UserRanges.dealt(chunks, parts: max(1, min(threads, chunks)))
            UserRanges.forEach(shares) { _, share in
                let workspace = makeWorkspace()
                for chunk in share {
                    let sums = base + chunk * layout.count
                    let first = chunk * Self.usersPerChunk
                    for user in first..<min(users, first + Self.usersPerChunk) {
                        forwardBackward(user: user, in: workspace, silentRunShortcut: true)
                        addUser(user, from: workspace, to: sums)
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: layout.count)
        for chunk in 0..<chunks {
            for i in 0..<layout.count { total[i] += partial[chunk * layout.count + i] }
        }
        return SufficientStatistics(layout: layout, values: total)
    }

    /// log P(every user's days), summed over users in the E-step's fixed order: the forward passes alone.
    public func logLikelihood(threads: Int = 1) -> Double {
        let users = data.userCount
        let chunks = (users + Self.usersPerChunk - 1) / Self.usersPerChunk
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let shares = UserRanges.dealt(chunks, parts: max(1, min(threads, chunks)))
            UserRanges.forEach(shares) { _, share in
                let workspace = makeWorkspace()
                for chunk in share {
                    let first = chunk * Self.usersPerChunk
                    var sum = 0.0
                    for user in first..<min(users, first + Self.usersPerChunk) {
                        forwardBackward(user: user, in: workspace, silentRunShortcut: true, backward: false)
                        sum += workspace.logLikelihood
                    }
                    base[chunk] = sum
                }
            }
        }
        return partial.reduce(0, +)
    }
}
