import Foundation
public import UsageModel

/// The file layouts the importer reads, told apart by extension.
enum LogFormat: String {
    case csv, jsonl

    static func inferred(fromPath path: String) -> LogFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson": return .jsonl
        default: return nil
        }
    }
}

/// Imports real event logs (Segment / RudderStack exports, or SegmentLab's own) into the usage columns the
/// simulator produces, so the same segmentation runs on both (DESIGN.md invariant 3).
///
/// Two streamed passes over the files keep memory independent of the number of events (invariant 6):
/// ``scan()`` learns the users, accounts, days, sign-up days and on which days each user has a used event;
/// ``EventLogScan/load()`` fills one cell per such (user, day), so memory grows with users and active
/// user-days, not users × days. ``EventLogScan/estimatedBytes`` states it before pass 2 allocates.
/// `docs/importing.md` describes the formats, the taxonomy and every rule below.
public struct EventLogImporter: Sendable {
    /// The longest line (or CSV record) read; a longer one is reported and skipped without being held.
    public static let maxLineBytes = 1 << 20
    /// Malformed lines listed one by one in the summary; the rest are counted.
    public static let listedMalformedLines = 10
    /// Bytes per cell of pass 2, one per (user, day) with a used event: sessions and key actions (2 + 2),
    /// features (4), milestones (2) and flags (2). The day's last NPS answer, billing event and plan, which
    /// few user-days have, live in a table of their own sized by the events that carry one.
    public static let bytesPerActiveUserDay = 12
    /// Bytes per user besides the cells and the indices of active days, rounded up: the id table,
    /// directory, replay state and day columns, and ids as strings.
    public static let bytesPerUser = 128
    /// The most days one import replays: ten years, as the longest simulated run. A log spanning more
    /// (most often one event with a wrong year) is refused before anything is allocated.
    public static let maxDays = 3660

    /// One or more `.csv`, `.jsonl` or `.ndjson` files, read in this order.
    public var files: [String]
    public var taxonomy: Taxonomy
    /// CSV `alias,user_id`: events under an alias count for the user.
    public var aliasesPath: String?
    /// CSV `user_id,account_id`: overrides the account the events give.
    public var accountsPath: String?
    /// First day to replay (UTC); earlier events are skipped, but still date sign-ups, milestones and plans.
    /// Default: the day of the earliest used event.
    public var startDate: CivilDate?
    /// Last day to replay (UTC); later events are counted and skipped. Default: the day of the latest used event.
    public var asOf: CivilDate?
    /// Stop at the first malformed line instead of counting it.
    public var strict: Bool
    /// Keeps only the accounts whose id it accepts (a user without an account is their own account,
    /// named by their user id), so one process can import a shard of a log: pass 1 still reads every
    /// line, pass 2 fills cells for the kept users only. `nil` keeps everyone.
    public var keepsAccount: (@Sendable (String) -> Bool)?
    /// Threads reading each pass: with 2 or more, a large file is read as two parts at once. The import is the same
    /// for any number.
    public var threads = 1
    /// Where every file is split when read in two parts, whatever its size; nil: at half of each file of
    /// ``splitMinimumBytes`` or more. For tests, which split small files at every line.
    var splitOffset: Int?

    /// Parts each file of ``splitMinimumBytes`` or more is read in: 2 with two threads or more, except in strict mode,
    /// whose error must name the first malformed line.
    var parts: Int { threads > 1 && !strict ? 2 : 1 }

    public init(
        files: [String], taxonomy: Taxonomy, aliasesPath: String? = nil, accountsPath: String? = nil,
        startDate: CivilDate? = nil, asOf: CivilDate? = nil, strict: Bool = false,
        keepsAccount: (@Sendable (String) -> Bool)? = nil
    ) {
        self.keepsAccount = keepsAccount
        self.files = files
        self.taxonomy = taxonomy
        self.aliasesPath = aliasesPath
        self.accountsPath = accountsPath
        self.startDate = startDate
        self.asOf = asOf
        self.strict = strict
    }

    /// Both passes, refusing before pass 2 when the import would need more than `memoryLimit` bytes.
    public func load(memoryLimit: Int? = nil) throws -> ImportedEventLog {
        let scan = try scan(progress: nil)
        if let memoryLimit, scan.estimatedBytes > memoryLimit {
            throw EventImportError.tooLarge(
                estimatedBytes: scan.estimatedBytes, limit: memoryLimit, users: scan.userCount, days: scan.days)
        }
        return try scan.load()
    }

    /// Pass 1: reads every file once and decides who the users are, their accounts and sign-up days, and
    /// which days are replayed.
    ///
    /// - Throws: ``EventImportError`` for unreadable or empty files, a missing header column, a bad side
    ///   table, a malformed line in strict mode, or a log without a usable event; ``TaxonomyError`` for a
    ///   taxonomy that breaks a limit.
    ///
    /// `progress` is called as the files are read with the bytes read so far and the files' total size.
    public func scan(progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil) throws -> EventLogScan {
        guard !files.isEmpty else { throw EventImportError.noFiles }
        let formats = try files.map { path in
            guard let format = LogFormat.inferred(fromPath: path) else {
                throw EventImportError.unknownFormat(path: path)
            }
            return format
        }
        if let startDate, let asOf, asOf < startDate {
            throw EventImportError.invalidDateRange(start: startDate, end: asOf)
        }
        let compiled = try CompiledTaxonomy(taxonomy)
        let aliases = try aliasesPath.map { try AliasTable(path: $0) }
        let accountTable = try accountsPath.map { try AccountTable(path: $0, aliases: aliases) }
        let scratch = Scratch(capacity: 2 * (EventLogImporter.maxLineBytes + (1 << 20)) + 64)
        let interpreter = EventInterpreter(taxonomy: compiled, aliases: aliases, scratch: scratch)
        if let startDate { interpreter.firstDay = Int64(startDate.daysSinceEpoch) }
        if let asOf { interpreter.lastDay = Int64(asOf.daysSinceEpoch) }

        let counts = ImportCounts(strict: strict)
        var sink = ScanSink(interpreter: interpreter, counts: counts)
        let tallies = try EventLogImporter.readAll(
            files, formats, parts: parts, splitOffset: splitOffset, scratch: scratch, into: &sink, progress: progress)

        var summary = ImportSummary()
        summary.files = zip(files, zip(formats, tallies)).map { path, entry in
            ImportSummary.FileCounts(
                path: path, format: entry.0.rawValue, bytes: entry.1.bytes, lines: entry.1.lines,
                records: entry.1.records, blankLines: entry.1.blankLines)
        }
        summary.eventsUsed = counts.used
        for reason in ImportSummary.SkipReason.allCases where counts.skipped[reason.rawValue] > 0 {
            summary.skipped[reason] = counts.skipped[reason.rawValue]
        }
        summary.malformedKinds = counts.malformedKinds
        summary.firstMalformed = counts.firstMalformed
        summary.reattributed = counts.reattributed
        (summary.unknownEvents, summary.otherUnknownEvents) = counts.unknownEvents.summary(top: 20)
        summary.allUnknownEvents = counts.unknownEvents.summary(top: Int.max).names
        summary.unknownPlans = counts.unknownPlans.summary(top: 20).names

        let firstDay = startDate.map { Int64($0.daysSinceEpoch) } ?? sink.minDay
        let lastDay = asOf.map { Int64($0.daysSinceEpoch) } ?? sink.maxDay
        guard sink.users.count > 0, firstDay != Int64.max, lastDay != Int64.min else {
            throw EventImportError.noUsableEvents(summary: summary.description)
        }
        guard lastDay >= firstDay else {
            throw EventImportError.invalidDateRange(
                start: CivilDate(daysSinceEpoch: Int(firstDay)), end: CivilDate(daysSinceEpoch: Int(lastDay)))
        }
        // One mistyped year must not make the replay allocate and write for millennia.
        if lastDay - firstDay + 1 > Int64(EventLogImporter.maxDays) {
            throw EventImportError.dateRangeTooWide(
                first: CivilDate(daysSinceEpoch: Int(firstDay)),
                firstAt: startDate == nil ? "\(files[sink.minDayAt.file]):\(sink.minDayAt.line)" : "--since",
                last: CivilDate(daysSinceEpoch: Int(lastDay)),
                lastAt: asOf == nil ? "\(files[sink.maxDayAt.file]):\(sink.maxDayAt.line)" : "--as-of",
                days: Int(lastDay - firstDay + 1))
        }
        return EventLogScan(
            importer: self, formats: formats, taxonomy: compiled, aliases: aliases, accountTable: accountTable,
            sink: sink, firstDay: firstDay, lastDay: lastDay, summary: summary)
    }

    /// Runs `sink` over every file in order, telling `progress` the bytes read of all the files. With 2 `parts`, a
    /// file of ``splitMinimumBytes`` or more (or any, split at `splitOffset`) is read as two parts at once
    /// (``readFile(_:path:size:split:scratch:into:progress:)``).
    static func readAll<Sink: SplittableSink>(
        _ files: [String], _ formats: [LogFormat], parts: Int, splitOffset: Int? = nil,
        scratch: Scratch, into sink: inout Sink, progress: ((_ bytes: Int, _ total: Int) -> Void)?
    ) throws -> [FileTally] {
        let sizes = files.map { path in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        let total = sizes.reduce(0, +)
        var before = 0
        var tallies: [FileTally] = []
        for ((path, format), size) in zip(zip(files, formats), sizes) {
            sink.startFile(path)
            let offset = before
            let told = progress.map { progress in { (bytes: Int) in progress(offset + bytes, total) } }
            let split = parts > 1 ? splitOffset ?? (size >= splitMinimumBytes ? size / 2 : nil) : nil
            let tally: FileTally
            switch format {
            case .csv:
                tally = try readFile(
                    CSVReader.File.self, path: path, size: size, split: split, scratch: scratch, into: &sink,
                    progress: told)
            case .jsonl:
                tally = try readFile(
                    JSONLReader.File.self, path: path, size: size, split: split, scratch: scratch, into: &sink,
                    progress: told)
            }
            tallies.append(tally)
            before += tally.bytes
        }
        return tallies
    }
}

/// What pass 1 keeps of a user: fixed size, whatever the number of events.
struct UserScan {
    var firstMillis = Int64.max
    var signUpDay = Int64.max
    var account: Int32 = -1
    var accountMillis = Int64.max
    var severalAccounts = false
    /// Milestones reached before the start date: they do not count again.
    var earlyMilestones: UInt16 = 0
    /// The plan set by the latest billing event before the start date.
    var earlyPlanMillis = Int64.min
    var earlyPlan: Int16 = -1
}

/// Pass 1: users, accounts, sign-up days and the range of days.
struct ScanSink: SplittableSink {
    let interpreter: EventInterpreter
    let counts: ImportCounts
    let users = ByteInterner(expected: 4096)
    let accounts = ByteInterner(expected: 1024)
    var state = ContiguousArray<UserScan>()
    /// The days each user has a used event on, by user in order of first appearance.
    let activeDays = ActiveDays()
    /// Used events with an NPS answer or a billing event: the most cells pass 2 can give a rare entry.
    var rareEvents = 0
    var minDay = Int64.max
    var maxDay = Int64.min
    /// File index and line of the first event seen on ``minDay`` and on ``maxDay``, to name an outlier.
    var minDayAt = (file: 0, line: 0)
    var maxDayAt = (file: 0, line: 0)
    fileprivate var fileIndex = -1
    private var out: Interpreted

    init(interpreter: EventInterpreter, counts: ImportCounts) {
        self.interpreter = interpreter
        self.counts = counts
        out = Interpreted(empty: interpreter.scratch.base)
    }

    mutating func startFile(_ path: String) {
        counts.file = path
        fileIndex += 1
    }

    mutating func malformed(_ reason: MalformedReason, line: Int) throws {
        try counts.malformed(reason, line: line)
    }

    mutating func event(_ raw: inout RawEvent, line: Int) throws {
        let reason: ImportSummary.SkipReason?
        do {
            reason = try interpreter.interpret(raw, &out)
        } catch {
            try counts.malformed(error, line: line)
            return
        }
        if let reason {
            counts.skip(reason)
            switch reason {
            case .unknownEvent: counts.unknownEvents.add(out.event)
            case .unknownPlan: counts.unknownPlans.add(out.plan)
            case .beforeStart: note(early: true)
            default: break
            }
            return
        }
        counts.used += 1
        if out.userWasAlias { counts.reattributed += 1 }
        if out.day < minDay {
            minDay = out.day
            minDayAt = (fileIndex, line)
        }
        if out.day > maxDay {
            maxDay = out.day
            maxDayAt = (fileIndex, line)
        }
        let u = note(early: false)
        activeDays.insert(user: u, day: out.day)
        if out.effect.nps >= 0 || out.effect.commerce != .none { rareEvents += 1 }
    }

    /// Folds one event into its user's state, and returns the user; every update is a minimum or maximum, so
    /// the order of lines does not matter.
    @inline(__always)
    @discardableResult
    private mutating func note(early: Bool) -> Int {
        let (u, isNew) = users.intern(out.user)
        if isNew {
            state.append(UserScan())
            activeDays.addUser()
        }
        let out = self.out
        let accounts = self.accounts
        let millis = out.millis
        let e = out.effect
        state.withUnsafeMutableBufferPointer { all in
            let s = all.baseAddress! + u
            if millis < s.pointee.firstMillis { s.pointee.firstMillis = millis }
            if e.signUp && out.day < s.pointee.signUpDay { s.pointee.signUpDay = out.day }
            if !out.account.isEmpty {
                let (a, _) = accounts.intern(out.account)
                let current = Int(s.pointee.account)
                if current != a {
                    if current >= 0 { s.pointee.severalAccounts = true }
                    if current < 0 || millis < s.pointee.accountMillis
                        || (millis == s.pointee.accountMillis && out.account.compare(accounts[current]) < 0)
                    {
                        s.pointee.account = Int32(a)
                        s.pointee.accountMillis = millis
                    }
                } else if millis < s.pointee.accountMillis {
                    s.pointee.accountMillis = millis
                }
            }
            if early {
                s.pointee.earlyMilestones |= e.milestones
                if e.plan >= 0
                    && (millis > s.pointee.earlyPlanMillis
                        || (millis == s.pointee.earlyPlanMillis && e.plan > Int(s.pointee.earlyPlan)))
                {
                    s.pointee.earlyPlanMillis = millis
                    s.pointee.earlyPlan = Int16(e.plan)
                }
            }
        }
        return u
    }
}

extension ScanSink {
    func partner(scratch: Scratch) -> ScanSink {
        var partner = ScanSink(
            interpreter: interpreter.copy(scratch: scratch), counts: ImportCounts(strict: counts.strict))
        partner.fileIndex = fileIndex
        partner.counts.file = counts.file
        return partner
    }

    func canAbsorb(_ later: ScanSink) -> Bool {
        later.counts.unknownEvents.others == 0 && later.counts.unknownPlans.others == 0
    }

    /// Adds `later`'s users after this sink's, in their order of first appearance there (as reading on would have
    /// numbered them), and folds each user's state into theirs here.
    mutating func absorb(_ later: ScanSink, lineOffset: Int) {
        counts.absorb(later.counts, lineOffset: lineOffset)
        rareEvents += later.rareEvents
        if later.minDay < minDay {
            minDay = later.minDay
            minDayAt = (fileIndex, later.minDayAt.line + lineOffset)
        }
        if later.maxDay > maxDay {
            maxDay = later.maxDay
            maxDayAt = (fileIndex, later.maxDayAt.line + lineOffset)
        }
        let accountOf = (0..<later.accounts.count).map { Int32(accounts.intern(later.accounts[$0]).index) }
        var userOf = [Int](repeating: 0, count: later.users.count)
        for u in 0..<later.users.count {
            let (v, isNew) = users.intern(later.users[u])
            if isNew {
                state.append(UserScan())
                activeDays.addUser()
            }
            userOf[u] = v
            let theirs = later.state[u]
            state[v].absorb(
                theirs, account: theirs.account >= 0 ? accountOf[Int(theirs.account)] : -1, accounts: accounts)
        }
        activeDays.absorb(later.activeDays, userOf: userOf)
    }
}

extension UserScan {
    /// Folds in the state of the same user from other lines, `account` being theirs in this numbering: the
    /// minima and maxima ``ScanSink``'s `note` keeps, so the result is that of one pass over both.
    mutating func absorb(_ other: UserScan, account theirs: Int32, accounts: ByteInterner) {
        firstMillis = min(firstMillis, other.firstMillis)
        signUpDay = min(signUpDay, other.signUpDay)
        if theirs >= 0 {
            if account >= 0 && account != theirs { severalAccounts = true }
            if account < 0 || other.accountMillis < accountMillis
                || (other.accountMillis == accountMillis && accounts[Int(theirs)].compare(accounts[Int(account)]) < 0)
            {
                account = theirs
                accountMillis = other.accountMillis
            }
        }
        severalAccounts = severalAccounts || other.severalAccounts
        earlyMilestones |= other.earlyMilestones
        if other.earlyPlan >= 0
            && (other.earlyPlanMillis > earlyPlanMillis
                || (other.earlyPlanMillis == earlyPlanMillis && other.earlyPlan > earlyPlan))
        {
            earlyPlanMillis = other.earlyPlanMillis
            earlyPlan = other.earlyPlan
        }
    }
}
