import Dispatch
import Synchronization

/// How every per-user pass is spread over worker threads: users cut into contiguous ranges, one
/// per worker, each range's work touching only its own users. Results never depend on the cut
/// (invariant 1): random streams are keyed by user, and per-worker tallies are summed in order.
public enum UserRanges {
    /// `parts` contiguous ranges covering `0..<users`, in order, sizes differing by at most one.
    public static func split(users: Int, parts: Int) -> [Range<Int>] {
        (0..<parts).map { p in (users * p / parts)..<(users * (p + 1) / parts) }
    }

    /// Runs `body(state, item)` for every item of `0..<count` on up to `threads` workers, each with a state of its own
    /// from `makeState`, every worker taking the next item when it finishes one: items of uneven cost keep both
    /// workers busy to the end, where shares fixed in advance leave one waiting for the other. An item must write
    /// only results of its own (summed in item order afterwards), so that which worker took it cannot show.
    public static func forEachTaken<State>(
        _ count: Int, threads: Int, makeState: () -> State, _ body: (State, Int) -> Void
    ) {
        let workers = max(1, min(threads, count))
        let next = NextItem()
        forEach(Array(0..<workers)) { _, _ in
            let state = makeState()
            while true {
                let item = next.take()
                guard item < count else { return }
                body(state, item)
            }
        }
    }

    /// Runs `body(worker, part)` for every part (a range of ``split(users:parts:)``, or a worker's number), on as many
    /// threads as parts (on the calling thread when there is one), and returns
    /// when all are done.
    public static func forEach<Part: Sendable>(_ ranges: [Part], _ body: (Int, Part) -> Void) {
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

/// The users a pass steps: every user of the population, or an ascending subset of them (a
/// counterfactual run re-simulates only the users a campaign could have changed). Work is cut into
/// contiguous ranges of positions in the selection, as ``UserRanges`` cuts all users.
public struct UserSelection: @unchecked Sendable {
    /// Ascending user indices, or nil for all `count` users.
    public let subset: Column<Int32>?
    /// Users selected.
    public let count: Int

    /// Every user of a population of `users`.
    public static func all(_ users: Int) -> UserSelection { UserSelection(subset: nil, count: users) }

    /// The given users, which must be ascending and distinct.
    public static func only(_ users: [Int32]) -> UserSelection {
        precondition(zip(users, users.dropFirst()).allSatisfy { $0 < $1 }, "a selection must be ascending")
        return UserSelection(subset: Column(users), count: users.count)
    }

    /// `parts` contiguous ranges of positions covering the selection.
    public func ranges(parts: Int) -> [Range<Int>] {
        UserRanges.split(users: count, parts: min(max(1, parts), max(1, count)))
    }

    /// Calls `body` with the user at every position of `positions`, in order. Inlinable, so the
    /// per-user body of a hot pass is compiled into the caller rather than called through a closure.
    @inlinable @inline(__always)
    public func forEach(_ positions: Range<Int>, _ body: (Int) -> Void) {
        if let subset {
            let users = subset.baseAddress
            for i in positions { body(Int(users[i])) }
        } else {
            for u in positions { body(u) }
        }
    }
}

/// The next item of ``UserRanges/forEachTaken(_:threads:makeState:_:)``, shared by its workers.
private final class NextItem: Sendable {
    private let counter = Atomic<Int>(0)

    func take() -> Int { counter.add(1, ordering: .relaxed).oldValue }
}
