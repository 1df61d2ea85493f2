import UsageModel

/// What pass 2 fills and the replay reads: one cell per (user, day) with a used event, nothing for the
/// other user-days.
///
/// Cells are day-major, as the replay reads them: the cells of day `d` are those of its active users in
/// user order, from ``DayIndex/dayStart`` `[d]`. The day's last NPS answer, billing event and plan, which
/// few cells have, live apart in ``rare``.
struct UsageCells {
    let index: DayIndex
    let cells: Column<UsageCell>
    let rare: RareCells
    /// The day's amounts of money in millionths of the unit, by cell; only when the taxonomy has a
    /// `revenue` rule.
    let revenue: Column<Int64>?
    /// The features the user tried without them on their plan, by cell; only when the taxonomy has a
    /// `premium_attempts` rule.
    let premium: Column<UInt32>?
}

extension UsageCells {
    /// A day's revenue with `amount` added, held at the largest or smallest value instead of overflowing.
    @inline(__always)
    static func revenue(_ sum: Int64, plus amount: Int64) -> Int64 {
        let (total, overflow) = sum.addingReportingOverflow(amount)
        return overflow ? (amount > 0 ? .max : .min) : total
    }

    /// Empty cells of the same days and users, for another thread of pass 2.
    func emptyCopy() -> UsageCells {
        UsageCells(
            index: index, cells: Column(repeating: UsageCell(), count: cells.count), rare: rare.emptyCopy(),
            revenue: revenue.map { Column(repeating: 0, count: $0.count) },
            premium: premium.map { Column(repeating: 0, count: $0.count) })
    }

    /// Adds the cells another thread filled from other lines: sums (saturating as pass 2's do), unions and the rare
    /// table's maxima. False when the rare table overflows, which means the files changed since pass 1.
    func absorb(_ other: UsageCells) -> Bool {
        let mine = cells.baseAddress
        let theirs = other.cells.baseAddress
        for i in 0..<cells.count {
            let o = theirs[i]
            let c = mine + i
            c.pointee.sessions = UInt16(min(Int(c.pointee.sessions) + Int(o.sessions), Int(UInt16.max)))
            c.pointee.keyActions = UInt16(min(Int(c.pointee.keyActions) + Int(o.keyActions), Int(UInt16.max)))
            c.pointee.features |= o.features
            c.pointee.milestones |= o.milestones
            c.pointee.flags |= o.flags
        }
        if let premium, let others = other.premium {
            for i in 0..<premium.count { premium.baseAddress[i] |= others.baseAddress[i] }
        }
        if let revenue, let others = other.revenue {
            for i in 0..<revenue.count where others.baseAddress[i] != 0 {
                revenue.baseAddress[i] = UsageCells.revenue(revenue.baseAddress[i], plus: others.baseAddress[i])
            }
        }
        return rare.absorb(other.rare)
    }
}

/// The frequent columns of one active user-day: 12 bytes.
struct UsageCell {
    var sessions: UInt16 = 0
    var keyActions: UInt16 = 0
    var features: UInt32 = 0
    var milestones: UInt16 = 0
    /// ``hasRare`` when ``RareCells`` holds an entry for the cell.
    var flags: UInt16 = 0

    static let hasRare: UInt16 = 1
    /// A usage cap was reached that day.
    static let capReached: UInt16 = 2
}

/// Which users have a used event on which day: for each day, one bit per user (final index), and the
/// day's first cell. One bit per (user, day) pair.
struct DayIndex {
    let days: Int
    /// Words per day: one bit a user.
    let wordsPerDay: Int
    /// Word `d × wordsPerDay + u / 64`, bit `u % 64`: user `u` is active on day `d`.
    let bits: Column<UInt64>
    /// The first cell of each day, and the number of cells last: `days + 1` entries.
    let dayStart: Column<Int>

    /// Bytes of the index of `users` over `days`.
    static func byteCount(users: Int, days: Int) -> Int {
        days * ((users + 63) / 64) * 8 + (days + 1) * 8
    }

    /// The index of the active days `active` holds, day 0 being `firstDay`.
    ///
    /// - Parameters:
    ///   - finalIndex: the final index of each user by pass 1's numbering, -1 for a user not imported.
    ///   - users: how many users are imported.
    init(days: Int, firstDay: Int64, active: ActiveDays, finalIndex: ContiguousArray<Int32>, users: Int) {
        self.days = days
        wordsPerDay = (users + 63) / 64
        bits = Column(repeating: 0, count: days * wordsPerDay)
        dayStart = Column(repeating: 0, count: days + 1)
        for d in 0..<days {
            if let row = active.row(day: firstDay + Int64(d)) { setDay(d, from: row, finalIndex: finalIndex) }
            var cells = 0
            for w in d * wordsPerDay..<(d + 1) * wordsPerDay { cells += bits.baseAddress[w].nonzeroBitCount }
            dayStart[d + 1] = dayStart[d] + cells
        }
    }

    /// Sets the bits of day `d` from pass 1's row of it.
    private func setDay(_ d: Int, from row: UnsafePointer<UInt64>, finalIndex: ContiguousArray<Int32>) {
        let out = bits.baseAddress + d * wordsPerDay
        for w in 0..<(finalIndex.count + 63) / 64 {
            var scanned = row[w]
            while scanned != 0 {
                let u = Int(finalIndex[64 * w + scanned.trailingZeroBitCount])
                scanned &= scanned - 1
                guard u >= 0 else { continue }
                out[u >> 6] |= 1 << UInt64(u & 63)
            }
        }
    }

    /// The number of cells: (user, day) pairs with a used event.
    var cellCount: Int { dayStart[days] }
}

/// Where pass 2 puts an event: the ``DayIndex`` and, per 64-user word of it, the day's cells before the
/// word. The cell of user `u` on day `d` is the day's first cell plus the day's active users before `u`:
/// one count and one population count. A log written in time order keeps pass 2 on the few words of its
/// current day. Pass 2 alone needs the counts, so the replay keeps only the index.
struct CellLocator {
    let index: DayIndex
    /// Cells of the day before each word of ``DayIndex/bits``.
    let before: Column<UInt32>

    /// Bytes of the counts for `users` over `days`.
    static func byteCount(users: Int, days: Int) -> Int {
        days * ((users + 63) / 64) * 4
    }

    init(_ index: DayIndex) {
        self.index = index
        before = Column(repeating: 0, count: index.bits.count)
        for d in 0..<index.days {
            var cells: UInt32 = 0
            for w in d * index.wordsPerDay..<(d + 1) * index.wordsPerDay {
                before.baseAddress[w] = cells
                cells += UInt32(index.bits.baseAddress[w].nonzeroBitCount)
            }
        }
    }

    /// The cell of user `u` on `day` (0 ..< days), or -1 when pass 1 saw no used event of theirs that day.
    @inline(__always)
    func cell(user u: Int, day: Int) -> Int {
        let w = day * index.wordsPerDay + (u >> 6)
        let bit: UInt64 = 1 << UInt64(u & 63)
        let word = index.bits.baseAddress[w]
        guard word & bit != 0 else { return -1 }
        return index.dayStart.baseAddress[day] + Int(before.baseAddress[w]) + (word & (bit &- 1)).nonzeroBitCount
    }
}

/// The NPS answers, billing events and plans of the cells that have one, by cell index: open addressing
/// over a table at most four fifths full.
///
/// Pass 1 counts the events that can need an entry, so the table is sized, and its memory stated, before
/// pass 2; a cell gets one entry however many such events it has.
final class RareCells {
    /// Each field keeps the day's last value packed with its time of day, so a maximum keeps the last
    /// one whatever the order of lines; 0 for none.
    struct Entry {
        /// `(ms of day + 1) << 4 | score` of the day's last answer.
        var nps: UInt32 = 0
        /// `(ms of day + 1) << 3 | CommerceEvent` of the day's last billing event.
        var commerce: UInt32 = 0
        /// `(ms of day + 1) << 5 | plan + 1` of the day's last billing event naming a plan.
        var plan: UInt32 = 0
    }

    /// Cell index + 1 of each slot; 0 for an empty slot.
    let keys: Column<UInt64>
    let entries: Column<Entry>
    /// The most entries: the events pass 1 counted. More means the files changed.
    private let limit: Int
    @exclusivity(unchecked) private var count = 0

    /// A table for up to `events` entries.
    init(events: Int) {
        let slots = RareCells.slots(events: events)
        keys = Column(repeating: 0, count: slots)
        entries = Column(repeating: Entry(), count: slots)
        limit = events
    }

    /// Slots for `events` entries: a quarter more, and one, so that a search always meets an empty slot.
    static func slots(events: Int) -> Int { events + events / 4 + 1 }

    /// Bytes of a table for `events` entries.
    static func byteCount(events: Int) -> Int {
        slots(events: events) * (MemoryLayout<UInt64>.stride + MemoryLayout<Entry>.stride)
    }

    /// Where the search for `key` starts: a hash of it scaled to the table.
    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: UInt64(keys.count)).high)
    }

    @inline(__always)
    private func after(_ slot: Int) -> Int {
        slot + 1 == keys.count ? 0 : slot + 1
    }

    /// The slot of `cell`, added when new; -1 when the table already holds as many entries as pass 1
    /// counted events.
    func insert(cell: Int) -> Int {
        let key = UInt64(cell) + 1
        let keys = self.keys.baseAddress
        var slot = home(key)
        while keys[slot] != 0 {
            if keys[slot] == key { return slot }
            slot = after(slot)
        }
        guard count < limit else { return -1 }
        count += 1
        keys[slot] = key
        return slot
    }

    /// An empty table of the same size.
    func emptyCopy() -> RareCells { RareCells(events: limit) }

    /// Adds the entries of another table, keeping each field's maximum (the day's last); false when this one
    /// overflows.
    func absorb(_ other: RareCells) -> Bool {
        for slot in 0..<other.keys.count where other.keys.baseAddress[slot] != 0 {
            let mine = insert(cell: Int(other.keys.baseAddress[slot] - 1))
            guard mine >= 0 else { return false }
            let theirs = other.entries.baseAddress[slot]
            let entry = entries.baseAddress + mine
            entry.pointee.nps = max(entry.pointee.nps, theirs.nps)
            entry.pointee.commerce = max(entry.pointee.commerce, theirs.commerce)
            entry.pointee.plan = max(entry.pointee.plan, theirs.plan)
        }
        return true
    }

    /// The entry of `cell`; empty when it has none.
    @inline(__always)
    func entry(cell: Int) -> Entry {
        let key = UInt64(cell) + 1
        let keys = self.keys.baseAddress
        var slot = home(key)
        while keys[slot] != 0 {
            if keys[slot] == key { return entries.baseAddress[slot] }
            slot = after(slot)
        }
        return Entry()
    }
}
