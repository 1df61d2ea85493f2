#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Pass 1's record of the days each user has a used event on: for each such day, one bit per user in
/// pass 1's numbering.
///
/// Rows are day-major so that a log in time order sets bits in the few rows of its current days. Every
/// row holds ``wordsPerRow`` words, doubled as users arrive; a row is allocated the first time its day is
/// used. The days to replay are known only at the end of pass 1, so the row pointers cover a window of
/// days, twice the span of the used days and centred on it, laid out again when a day falls outside:
/// O(log) moves of pointers whatever the order of lines. A day that would make the used days span
/// more than ``EventLogImporter/maxDays`` belongs to a log pass 1's caller refuses, so its bit is dropped
/// rather than paid for: a mistyped year costs nothing.
///
/// Memory: a row per used day of `users / 8` bytes, rounded up to a power of two of words, and at most
/// 16 bytes of pointers a day; ``byteCount(users:days:)`` bounds it.
final class ActiveDays {
    @exclusivity(unchecked) private(set) var userCount = 0
    /// Words of every row: room for `64 × wordsPerRow` users.
    @exclusivity(unchecked) private(set) var wordsPerRow = 1
    /// Row `i` is day `baseDay + i` (days since 1970-01-01), nil when no user is active that day.
    @exclusivity(unchecked) private var rows: [UnsafeMutablePointer<UInt64>?] = []
    @exclusivity(unchecked) private var baseDay: Int64 = 0
    /// Used days with a bit set, from the first to the last.
    @exclusivity(unchecked) private(set) var firstDay = Int64.max
    @exclusivity(unchecked) private(set) var lastDay = Int64.min
    @exclusivity(unchecked) private(set) var rowCount = 0

    deinit {
        for row in rows { free(row) }
    }

    /// Bytes held: the rows and their pointers.
    var byteCount: Int { rowCount * wordsPerRow * 8 + rows.count * 8 }

    /// The most bytes pass 1 holds for `users` whose used days lie in `days` days: a row for each day, and
    /// pointers for twice as many.
    static func byteCount(users: Int, days: Int) -> Int {
        days * (words(forUsers: users) * 8 + 16)
    }

    /// Words of a row once `users` users have arrived.
    static func words(forUsers users: Int) -> Int {
        var words = 1
        while words * 64 < users { words *= 2 }
        return words
    }

    /// Adds a user without days; users are numbered in order of addition.
    @inline(__always)
    func addUser() {
        userCount += 1
        if userCount > wordsPerRow * 64 { widenRows() }
    }

    /// Marks `day` (days since 1970-01-01) as a used day of `user`; a day too far from the others is
    /// dropped (see the type's description).
    @inline(__always)
    func insert(user: Int, day: Int64) {
        if day < firstDay || day > lastDay {
            guard extend(to: day) else { return }
        }
        let i = Int(day - baseDay)
        let row = rows[i] ?? addRow(i)
        row[user >> 6] |= 1 << UInt64(user & 63)
    }

    /// Marks the days of `later`'s users, user `u` there being `userOf[u]` here.
    func absorb(_ later: ActiveDays, userOf: [Int]) {
        guard later.firstDay <= later.lastDay else { return }
        let words = (later.userCount + 63) / 64
        for day in later.firstDay...later.lastDay {
            guard let row = later.row(day: day) else { continue }
            for w in 0..<words {
                var bits = row[w]
                while bits != 0 {
                    insert(user: userOf[64 * w + bits.trailingZeroBitCount], day: day)
                    bits &= bits - 1
                }
            }
        }
    }

    /// The bits of `day`, bit `u % 64` of word `u / 64` for user `u`; nil when no user is active that day.
    func row(day: Int64) -> UnsafePointer<UInt64>? {
        guard day >= firstDay && day <= lastDay else { return nil }
        return rows[Int(day - baseDay)].map { UnsafePointer($0) }
    }

    /// Takes `day` into the span of used days, widening the window when it lies outside; false when the
    /// span would pass ``EventLogImporter/maxDays``.
    private func extend(to day: Int64) -> Bool {
        let first = Swift.min(firstDay, day)
        let last = Swift.max(lastDay, day)
        guard last - first < Int64(EventLogImporter.maxDays) else { return false }
        firstDay = first
        lastDay = last
        if day < baseDay || day >= baseDay + Int64(rows.count) {
            // Twice the span, with as much room on either side.
            let span = Int(last - first) + 1
            let count = 2 * span
            let base = first - Int64(span / 2)
            var moved = [UnsafeMutablePointer<UInt64>?](repeating: nil, count: count)
            for (i, row) in rows.enumerated() where row != nil { moved[Int(baseDay - base) + i] = row }
            rows = moved
            baseDay = base
        }
        return true
    }

    private func addRow(_ i: Int) -> UnsafeMutablePointer<UInt64> {
        guard let raw = calloc(wordsPerRow, 8) else { fatalError("out of memory") }
        let row = raw.assumingMemoryBound(to: UInt64.self)
        rows[i] = row
        rowCount += 1
        return row
    }

    /// Doubles every row.
    private func widenRows() {
        let words = 2 * wordsPerRow
        for (i, row) in rows.enumerated() {
            guard let row else { continue }
            guard let raw = realloc(row, words * 8) else { fatalError("out of memory") }
            let grown = raw.assumingMemoryBound(to: UInt64.self)
            (grown + wordsPerRow).initialize(repeating: 0, count: words - wordsPerRow)
            rows[i] = grown
        }
        wordsPerRow = words
    }
}
