import UsageModel

extension HMMInference {
    /// Users per chunk of the E-step. Chunks, not threads, fix the order of every sum: each chunk's users are added
    /// in order into the chunk's own partial sums, and the partial sums are added in chunk order, so the statistics
    /// are bit-for-bit the same at any thread count (DESIGN.md invariant 1).
    static let usersPerChunk = 256

    /// Chunks of ``usersPerChunk`` users in the data.
    var chunkCount: Int { (data.userCount + Self.usersPerChunk - 1) / Self.usersPerChunk }

    /// Calls `body(workspace, chunk, users)` for every chunk on `threads` workers, each taking the next chunk when
    /// done with one, in a workspace of its own.
    private func forEachChunk(threads: Int, _ body: (UserWorkspace, Int, Range<Int>) -> Void) {
        let users = data.userCount
        UserRanges.forEachTaken(chunkCount, threads: threads, makeState: makeWorkspace) { workspace, chunk in
            let first = chunk * Self.usersPerChunk
            body(workspace, chunk, first..<min(users, first + Self.usersPerChunk))
        }
    }

    /// The E-step: one forward–backward pass per user, on `threads` workers taking the chunks as they go.
    func expectedStatistics(threads: Int) -> SufficientStatistics {
        let layout = statisticsLayout
        let chunks = chunkCount
        var partial = [Double](repeating: 0, count: chunks * layout.count)
        partial.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            forEachChunk(threads: threads) { workspace, chunk, users in
                let sums = base + chunk * layout.count
                for user in users {
                    forwardBackward(user: user, in: workspace, silentRunShortcut: true)
                    addUser(user, from: workspace, to: sums)
                }
            }
        }
        var total = [Double](repeating: 0, count: layout.count)
        for chunk in 0..<chunks {
            for i in 0..<layout.count { total[i] += partial[chunk * layout.count + i] }
        }
        return SufficientStatistics(layout: layout, values: total)
    }

    /// log P(every user's days) from the forward passes alone, summed as the E-step sums it (each chunk in user
    /// order, the chunks in order), so bit-for-bit its ``SufficientStatistics/logLikelihood``.
    public func logLikelihood(threads: Int = 1) -> Double {
        var partial = [Double](repeating: 0, count: chunkCount)
        partial.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            forEachChunk(threads: threads) { workspace, chunk, users in
                var sum = 0.0
                for user in users {
                    forwardBackward(user: user, in: workspace, silentRunShortcut: true, backward: false)
                    sum += workspace.logLikelihood
                }
                base[chunk] = sum
            }
        }
        return partial.reduce(0, +)
    }
}
