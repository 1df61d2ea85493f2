public import UsageModel

/// The result of pass 1: who the users are, and what pass 2 will cost.
///
/// Users are ordered by their first event (ties by id), then grouped by account so that users of one
/// account are contiguous as ``PopulationDirectory`` promises; accounts come in the order of their first
/// user. The order depends on the events only, never on the order of lines.
public final class EventLogScan {
    public let summary: ImportSummary
    public let population: ImportedPopulation
    public let directory: PopulationDirectory
    public var userCount: Int { directory.userCount }
    public var days: Int { directory.days }
    /// Bytes pass 2 and the replay will hold: users × days × ``EventLogImporter/bytesPerUserDay`` plus
    /// users × ``EventLogImporter/bytesPerUser``.
    public var estimatedBytes: Int {
        EventLogScan.estimatedBytes(users: userCount, days: days)
    }

    public static func estimatedBytes(users: Int, days: Int) -> Int {
        let (cells, overflow) = users.multipliedReportingOverflow(by: days)
        guard !overflow else { return Int.max }
        let (bytes, overflow2) = cells.multipliedReportingOverflow(by: EventLogImporter.bytesPerUserDay)
        return overflow2 ? Int.max : bytes + users * EventLogImporter.bytesPerUser
    }

    let importer: EventLogImporter
    let formats: [LogFormat]
    let taxonomy: CompiledTaxonomy
    let aliases: AliasTable?
    let users: ByteInterner
    /// Final user index of each user in order of first appearance (pass 1's numbering).
    let finalIndex: ContiguousArray<Int32>
    let firstDay: Int64
    let usedInPass1: Int
    let earlyMilestones: Column<UInt16>
    /// Plan index before the start date, or -1.
    let earlyPlan: Column<Int16>

    init(
        importer: EventLogImporter, formats: [LogFormat], taxonomy: CompiledTaxonomy, aliases: AliasTable?,
        accountTable: AccountTable?, sink: ScanSink, firstDay: Int64, lastDay: Int64, summary: ImportSummary
    ) {
        self.importer = importer
        self.formats = formats
        self.taxonomy = taxonomy
        self.aliases = aliases
        self.firstDay = firstDay
        let users = sink.users
        self.users = users
        usedInPass1 = sink.counts.used
        let state = sink.state
        let n = state.count

        // Accounts: the side table first, else the events, else one of the user's own.
        let accounts = sink.accounts
        var accountOf = [Int](repeating: -1, count: n)
        for u in 0..<n {
            if let table = accountTable, let id = table.accountOf[users.string(u)] {
                var copy = id
                accountOf[u] = copy.withUTF8 { b in
                    accounts.intern(ByteSpan(base: b.baseAddress!, count: b.count)).index
                }
            } else {
                accountOf[u] = Int(state[u].account)
            }
        }

        let byFirstEvent = (0..<n).sorted { a, b in
            let ta = state[a].firstMillis
            let tb = state[b].firstMillis
            return ta != tb ? ta < tb : users[a].compare(users[b]) < 0
        }
        var accountSlot = [Int](repeating: -1, count: accounts.count)
        var members: [[Int]] = []
        var accountIDs: [String] = []
        for u in byFirstEvent {
            let a = accountOf[u]
            if a < 0 {
                members.append([u])
                accountIDs.append(users.string(u))
            } else if accountSlot[a] < 0 {
                accountSlot[a] = members.count
                members.append([u])
                accountIDs.append(accounts.string(a))
            } else {
                members[accountSlot[a]].append(u)
            }
        }

        var finalIndex = ContiguousArray<Int32>(repeating: 0, count: n)
        var userIDs: [String] = []
        userIDs.reserveCapacity(n)
        let accountColumn = Column<Int32>(repeating: 0, count: n)
        let signupColumn = Column<Int32>(repeating: 0, count: n)
        let early = Column<UInt16>(repeating: 0, count: n)
        let earlyPlan = Column<Int16>(repeating: -1, count: n)
        var next = 0
        var several = 0
        for (a, group) in members.enumerated() {
            for u in group {
                finalIndex[u] = Int32(next)
                userIDs.append(users.string(u))
                accountColumn[next] = Int32(a)
                let s = state[u]
                let signUp = s.signUpDay != Int64.max ? s.signUpDay : Timestamp.day(ofMillis: s.firstMillis)
                signupColumn[next] = Int32(clamping: signUp - firstDay)
                early[next] = s.earlyMilestones
                earlyPlan[next] = s.earlyPlan
                if s.severalAccounts { several += 1 }
                next += 1
            }
        }
        self.finalIndex = finalIndex
        earlyMilestones = early
        self.earlyPlan = earlyPlan

        let days = Int(lastDay - firstDay + 1)
        let start = CivilDate(daysSinceEpoch: Int(firstDay))
        directory = PopulationDirectory(
            userCount: n, account: accountColumn, signupDay: signupColumn, accountCount: members.count,
            featureNames: taxonomy.featureNames, milestoneNames: taxonomy.milestoneNames,
            planNames: taxonomy.source.plans, startDate: start, days: days)
        population = ImportedPopulation(userIDs: userIDs, accountIDs: accountIDs)
        var summary = summary
        summary.users = n
        summary.accounts = members.count
        summary.usersWithSeveralAccounts = several
        summary.startDate = start
        summary.endDate = CivilDate(daysSinceEpoch: Int(lastDay))
        summary.days = days
        self.summary = summary
    }

    /// Pass 2: reads the files again and fills one cell per (user, day).
    ///
    /// - Throws: ``EventImportError/changedDuringImport(path:)`` when the files no longer give what pass 1
    ///   read, or the errors of reading a file.
    ///
    /// `progress` is called as the files are read with the bytes read so far and the files' total size.
    public func load(progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil) throws -> ImportedEventLog {
        let n = userCount
        let cells = n * days
        let table = UsageTable(cells: cells)
        let scratch = Scratch(capacity: 2 * (EventLogImporter.maxLineBytes + (1 << 20)) + 64)
        let interpreter = EventInterpreter(taxonomy: taxonomy, aliases: aliases, scratch: scratch)
        interpreter.firstDay = firstDay
        interpreter.lastDay = firstDay + Int64(days) - 1
        var sink = LoadSink(
            interpreter: interpreter, users: users, finalIndex: finalIndex, signup: directory.signupDay,
            firstDay: firstDay, userCount: n, table: table)
        _ = try EventLogImporter.readAll(importer.files, formats, scratch: scratch, into: &sink, progress: progress)
        if let path = sink.unknownUserFile ?? (sink.used != usedInPass1 ? importer.files.last : nil) {
            throw EventImportError.changedDuringImport(path: path)
        }
        var summary = self.summary
        summary.eventsBeforeSignUp = sink.beforeSignUp
        return ImportedEventLog(
            directory: directory, population: population, summary: summary, table: table,
            earlyMilestones: earlyMilestones, earlyPlan: earlyPlan)
    }
}

/// The dense cells of pass 2, day-major: cell `day × users + user`.
final class UsageTable {
    let sessions: Column<UInt16>
    let keyActions: Column<UInt16>
    let features: Column<UInt32>
    let milestones: Column<UInt16>
    /// `(ms of day + 1) << 4 | score` of the day's last answer, 0 for none.
    let nps: Column<UInt32>
    /// `(ms of day + 1) << 3 | CommerceEvent` of the day's last billing event, 0 for none.
    let commerce: Column<UInt32>
    /// `(ms of day + 1) << 5 | plan + 1` of the day's last billing event naming a plan, 0 for none.
    let plan: Column<UInt32>

    init(cells: Int) {
        sessions = Column(repeating: 0, count: cells)
        keyActions = Column(repeating: 0, count: cells)
        features = Column(repeating: 0, count: cells)
        milestones = Column(repeating: 0, count: cells)
        nps = Column(repeating: 0, count: cells)
        commerce = Column(repeating: 0, count: cells)
        plan = Column(repeating: 0, count: cells)
    }
}

/// Pass 2: each used event into its cell. Every update is a sum, a union or a maximum, so the order of
/// lines does not matter.
struct LoadSink: EventSink {
    let interpreter: EventInterpreter
    let users: ByteInterner
    let finalIndex: ContiguousArray<Int32>
    let signup: Column<Int32>
    let firstDay: Int64
    let userCount: Int
    let table: UsageTable
    var used = 0
    var beforeSignUp = 0
    var unknownUserFile: String?
    private var file = ""
    private var out: Interpreted

    init(
        interpreter: EventInterpreter, users: ByteInterner, finalIndex: ContiguousArray<Int32>, signup: Column<Int32>,
        firstDay: Int64, userCount: Int, table: UsageTable
    ) {
        self.interpreter = interpreter
        self.users = users
        self.finalIndex = finalIndex
        self.signup = signup
        self.firstDay = firstDay
        self.userCount = userCount
        self.table = table
        out = Interpreted(empty: interpreter.scratch.base)
    }

    mutating func startFile(_ path: String) {
        file = path
    }

    mutating func malformed(_ reason: MalformedReason, line: Int) throws {}

    @inline(__always)
    mutating func event(_ raw: inout RawEvent, line: Int) throws {
        do {
            guard try interpreter.interpret(raw, &out) == nil else { return }
        } catch {
            return
        }
        let ordinal = users.find(out.user)
        guard ordinal >= 0 else {
            if unknownUserFile == nil { unknownUserFile = file }
            return
        }
        used += 1
        let u = Int(finalIndex[ordinal])
        let d = Int(out.day - firstDay)
        let cell = d * userCount + u
        let e = out.effect
        if d < Int(signup[u]) { beforeSignUp += 1 }
        if e.session {
            let p = table.sessions.baseAddress + cell
            if p.pointee < UInt16.max { p.pointee += 1 }
        }
        if e.keyAction {
            let p = table.keyActions.baseAddress + cell
            if p.pointee < UInt16.max { p.pointee += 1 }
        }
        if e.features != 0 { table.features.baseAddress[cell] |= e.features }
        if e.milestones != 0 { table.milestones.baseAddress[cell] |= e.milestones }
        let time = UInt32(out.millis - out.day * Timestamp.msPerDay) + 1
        if e.nps >= 0 {
            let key = time << 4 | UInt32(e.nps)
            let p = table.nps.baseAddress + cell
            if key > p.pointee { p.pointee = key }
        }
        if e.commerce != .none {
            let code: CommerceEvent
            switch e.commerce {
            case .trialStarted: code = .trialStarted
            case .subscriptionStarted: code = d == Int(signup[u]) ? .subscribed : .converted
            case .trialEnded: code = .trialExpired
            case .planChanged: code = e.up ? .upgraded : .downgraded
            case .cancelled: code = .cancelled
            case .none: code = .none
            }
            let key = time << 3 | UInt32(code.rawValue)
            let p = table.commerce.baseAddress + cell
            if key > p.pointee { p.pointee = key }
            if e.plan >= 0 {
                let planKey = time << 5 | UInt32(e.plan + 1)
                let q = table.plan.baseAddress + cell
                if planKey > q.pointee { q.pointee = planKey }
            }
        }
    }
}
