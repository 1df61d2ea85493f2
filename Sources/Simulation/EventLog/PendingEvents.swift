/// Late events waiting for the day their arrival falls in: a binary min-heap in write order.
///
/// Only late events whose arrival is after the end of their own day are held, so its size is
/// about the late share times the delay in days times a day's events, not the whole log.
struct PendingEvents {
    private var heap = ContiguousArray<LogEvent>()

    var count: Int { heap.count }

    mutating func push(_ e: LogEvent) {
        heap.append(e)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard LogEvent.arrivesBefore(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first event in write order if it arrives before `time`.
    mutating func popArriving(before time: Int64) -> LogEvent? {
        guard let top = heap.first, top.received < time else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var smallest = left
            if left + 1 < heap.count && LogEvent.arrivesBefore(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard LogEvent.arrivesBefore(heap[smallest], heap[parent]) else { break }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
        return top
    }

    /// Empties the heap, returning what it held (the events that never arrived).
    mutating func drain() -> ContiguousArray<LogEvent> {
        defer { heap = [] }
        return heap
    }
}

/// A stable LSD radix sort of a day's events by arrival time within the day.
///
/// Arrival in milliseconds fits 27 bits, so two counting passes (14 + 13 bits) order a day in
/// linear time; stability keeps the batch's own order (pending events first, then users in index
/// order, each in sequence) for equal times, which is the documented tiebreak. The passes move
/// 4-byte indices; the 32-byte events are then gathered once in a tight loop, where the memory
/// system can overlap the cache misses that an encoder reading them out of order would stall on.
struct ArrivalSorter {
    private var keys = ContiguousArray<UInt32>()
    private var scratch = ContiguousArray<Int32>()
    private var order = ContiguousArray<Int32>()
    private var sorted = ContiguousArray<LogEvent>()
    private var lowCounts = ContiguousArray<Int>(repeating: 0, count: 1 << 14)
    private var highCounts = ContiguousArray<Int>(repeating: 0, count: 1 << 13)

    /// Reorders `batch` by `received - dayStart` (clamped to the day), keeping ties in batch order.
    mutating func sort(_ batch: inout ContiguousArray<LogEvent>, dayStart: Int64) {
        let n = batch.count
        keys.removeAll(keepingCapacity: true)
        for e in batch {
            keys.append(UInt32(truncatingIfNeeded: min(max(e.received - dayStart, 0), Millis.day - 1)))
        }
        // Reused across days; resized only when a day has more events than any before.
        if scratch.count < n {
            scratch = ContiguousArray(repeating: 0, count: n)
            order = ContiguousArray(repeating: 0, count: n)
        }
        keys.withUnsafeBufferPointer { k in
            scratch.withUnsafeMutableBufferPointer { tmp in
                order.withUnsafeMutableBufferPointer { out in
                    let tmp = UnsafeMutableBufferPointer(rebasing: tmp[0..<n])
                    let out = UnsafeMutableBufferPointer(rebasing: out[0..<n])
                    lowCounts.withUnsafeMutableBufferPointer { low in
                        highCounts.withUnsafeMutableBufferPointer { high in
                            Self.pass(k, shift: 0, mask: (1 << 14) - 1, counts: low, from: nil, to: tmp)
                            Self.pass(k, shift: 14, mask: (1 << 13) - 1, counts: high, from: tmp, to: out)
                        }
                    }
                }
            }
        }
        sorted.removeAll(keepingCapacity: true)
        sorted.reserveCapacity(n)
        order.withUnsafeBufferPointer { order in
            batch.withUnsafeBufferPointer { events in
                for k in 0..<n {
                    sorted.append(events[Int(order[k])])
                }
            }
        }
        swap(&batch, &sorted)
    }

    /// One stable counting pass on the digit `(key >> shift) & mask`, taking indices in the order
    /// of `from` (nil: 0..<n).
    private static func pass(
        _ keys: UnsafeBufferPointer<UInt32>, shift: UInt32, mask: UInt32, counts: UnsafeMutableBufferPointer<Int>,
        from: UnsafeMutableBufferPointer<Int32>?, to: UnsafeMutableBufferPointer<Int32>
    ) {
        let n = keys.count
        for i in counts.indices { counts[i] = 0 }
        for i in 0..<n { counts[Int((keys[i] >> shift) & mask)] += 1 }
        var sum = 0
        for i in counts.indices {
            let c = counts[i]
            counts[i] = sum
            sum += c
        }
        if let from {
            for j in 0..<n {
                let index = Int(from[j])
                let digit = Int((keys[index] >> shift) & mask)
                to[counts[digit]] = Int32(truncatingIfNeeded: index)
                counts[digit] += 1
            }
        } else {
            for index in 0..<n {
                let digit = Int((keys[index] >> shift) & mask)
                to[counts[digit]] = Int32(truncatingIfNeeded: index)
                counts[digit] += 1
            }
        }
    }
}
