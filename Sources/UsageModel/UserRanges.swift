import Dispatch

/// How every per-user pass is spread over worker threads: users cut into contiguous ranges, one
/// per worker, each range's work touching only its own users. Results never depend on the cut
/// (invariant 1): random streams are keyed by user, and per-worker tallies are summed in order.
public enum UserRanges {
    /// `parts` contiguous ranges covering `0..<users`, in order, sizes differing by at most one.
    public static func split(users: Int, parts: Int) -> [Range<Int>] {
        (0..<parts).map { p in (users * p / parts)..<(users * (p + 1) / parts) }
    }

    /// Runs `body(worker, range)` for every range, on as many threads as ranges (on the calling
    /// thread when there is one), and returns when all are done.
    public static func forEach(_ ranges: [Range<Int>], _ body: (Int, Range<Int>) -> Void) {
        if ranges.count == 1 {
            body(0, ranges[0])
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: ranges.count) { box.value($0, ranges[$0]) }
        }
    }
}

/// Lets a value that is only used on disjoint user ranges cross into worker threads.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
