/// Counts of pass 1, kept where the hot path can bump them without building strings.
final class ImportCounts {
    @exclusivity(unchecked) var skipped = [Int](repeating: 0, count: ImportSummary.SkipReason.allCases.count)
    @exclusivity(unchecked) var used = 0
    @exclusivity(unchecked) var reattributed = 0
    var malformedKinds: [String: Int] = [:]
    var firstMalformed: [MalformedLine] = []
    var file = ""
    let strict: Bool
    let unknownEvents = NameTally()
    let unknownPlans = NameTally()

    init(strict: Bool) {
        self.strict = strict
    }

    @inline(__always)
    func skip(_ reason: ImportSummary.SkipReason) {
        skipped[reason.rawValue] += 1
    }

    /// Counts a malformed line; in strict mode it ends the import.
    func malformed(_ reason: MalformedReason, line: Int) throws {
        let entry = MalformedLine(file: file, line: line, reason: reason)
        if strict { throw EventImportError.malformedLine(entry) }
        skipped[ImportSummary.SkipReason.malformed.rawValue] += 1
        malformedKinds[reason.kind, default: 0] += 1
        if firstMalformed.count < EventLogImporter.listedMalformedLines { firstMalformed.append(entry) }
    }

    /// Adds the counts of a later part of the file, whose lines follow line `lineOffset`.
    func absorb(_ later: ImportCounts, lineOffset: Int) {
        for i in skipped.indices { skipped[i] += later.skipped[i] }
        used += later.used
        reattributed += later.reattributed
        for (kind, count) in later.malformedKinds { malformedKinds[kind, default: 0] += count }
        for entry in later.firstMalformed.prefix(EventLogImporter.listedMalformedLines - firstMalformed.count) {
            firstMalformed.append(MalformedLine(file: entry.file, line: entry.line + lineOffset, reason: entry.reason))
        }
        unknownEvents.absorb(later.unknownEvents)
        unknownPlans.absorb(later.unknownPlans)
    }
}

/// How often each distinct name occurs, for up to `limit` distinct names; the rest are counted together.
final class NameTally {
    private let names = ByteInterner(expected: 64)
    private var counts = ContiguousArray<Int>()
    private(set) var others = 0
    let limit: Int

    init(limit: Int = 1000) {
        self.limit = limit
    }

    func add(_ name: ByteSpan) {
        let found = names.find(name)
        if found >= 0 {
            counts[found] += 1
        } else if names.count < limit {
            _ = names.intern(name)
            counts.append(1)
        } else {
            others += 1
        }
    }

    /// Adds the names of a later tally in their order of first appearance, as if its names had been added here
    /// one by one: exact when `later` met no limit (``others`` is 0).
    func absorb(_ later: NameTally) {
        for i in 0..<later.names.count {
            let name = later.names[i]
            let found = names.find(name)
            if found >= 0 {
                counts[found] += later.counts[i]
            } else if names.count < limit {
                _ = names.intern(name)
                counts.append(later.counts[i])
            } else {
                others += later.counts[i]
            }
        }
        others += later.others
    }

    /// The `top` most frequent names (ties by name) and how many occurrences the rest account for.
    func summary(top: Int) -> (names: [ImportSummary.NameCount], rest: Int) {
        let all = (0..<names.count).map { ImportSummary.NameCount(name: names.string($0), count: counts[$0]) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
        let kept = Array(all.prefix(top))
        return (kept, others + all.dropFirst(top).reduce(0) { $0 + $1.count })
    }
}
