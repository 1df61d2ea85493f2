public import UsageModel

/// The result of pass 1: who the users are, on which days each has a used event, and what pass 2 will
/// cost.
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
    /// The (user, day) pairs with a used event: the cells pass 2 fills.
    public let activeUserDays: Int
    /// The used events with an NPS answer or a billing event, which bound the entries of the rare table.
    public let rareEvents: Int
    /// Bytes the import holds from pass 1 to the end of the replay, stated before pass 2 allocates; see
    /// ``estimatedBytes(users:days:activeUserDays:rareEvents:importedUsers:revenue:)``.
    public var estimatedBytes: Int {
        EventLogScan.estimatedBytes(
            users: scannedUsers, days: days, activeUserDays: activeUserDays, rareEvents: rareEvents,
            importedUsers: userCount, revenue: !taxonomy.source.revenue.isEmpty,
            premium: !taxonomy.source.premiumAttempts.isEmpty, parts: importer.parts)
    }
    /// Users pass 1 met: more than ``userCount`` when the import keeps a shard of the accounts.
    public let scannedUsers: Int

    /// Bytes an import holds, a bound on the sum of what pass 1, pass 2 and the replay keep:
    ///
    /// - per user met, ``EventLogImporter/bytesPerUser`` and 8 bytes telling pass 2 where the user's
    ///   cells go;
    /// - pass 1's active days: for each day a row of one bit per user met, its words rounded up to a
    ///   power of two, and 16 bytes of row pointers (``ActiveDays``);
    /// - the day index: one bit per imported user a day and 8 bytes a day (``DayIndex``), and pass 2's
    ///   counts of the cells before every 64 imported users of a day, 4 bytes (``CellLocator``);
    /// - ``EventLogImporter/bytesPerActiveUserDay`` per active user-day;
    /// - the table of NPS answers, billing events and plans, sized for `rareEvents` (``RareCells``);
    /// - with a `revenue` rule in the taxonomy, 8 bytes more per active user-day (``UsageCells/revenue``);
    /// - with a `premium_attempts` rule, 4 bytes more per active user-day (``UsageCells/premium``).
    ///
    /// `importedUsers` is `users` unless the import keeps a shard. A file read as two `parts` at once
    /// (``EventLogImporter/threads``) holds the second part's active days in pass 1 and its cells and rare table in
    /// pass 2 until they are added to the first's.
    public static func estimatedBytes(
        users: Int, days: Int, activeUserDays: Int, rareEvents: Int, importedUsers: Int? = nil, revenue: Bool = false,
        premium: Bool = false, parts: Int = 1
    ) -> Int {
        let imported = importedUsers ?? users
        let perCell =
            EventLogImporter.bytesPerActiveUserDay + (revenue ? MemoryLayout<Int64>.stride : 0)
            + (premium ? MemoryLayout<UInt32>.stride : 0)
        let partBytes =
            ActiveDays.byteCount(users: users, days: days) + activeUserDays * perCell
            + RareCells.byteCount(events: rareEvents)
        return users * (EventLogImporter.bytesPerUser + 8) + DayIndex.byteCount(users: imported, days: days)
            + CellLocator.byteCount(users: imported, days: days) + max(parts, 1) * partBytes
    }

    let importer: EventLogImporter
    let formats: [LogFormat]
    let taxonomy: CompiledTaxonomy
    let aliases: AliasTable?
    let users: ByteInterner
    /// Which users are active on which day, and where their cells go.
    let locator: CellLocator
    /// Each user's final index and sign-up day, by pass 1's numbering: see ``LoadSink/placement``.
    let placement: Column<UInt64>
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
        scannedUsers = n

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

        // A shard keeps whole accounts; the users of other shards get no index.
        var kept = [Bool](repeating: true, count: n)
        if let keeps = importer.keepsAccount {
            var verdict: [Int8] = Array(repeating: -1, count: accounts.count)
            for u in 0..<n {
                let a = accountOf[u]
                if a < 0 {
                    kept[u] = keeps(users.string(u))
                } else {
                    if verdict[a] < 0 { verdict[a] = keeps(accounts.string(a)) ? 1 : 0 }
                    kept[u] = verdict[a] == 1
                }
            }
        }
        let byFirstEvent = (0..<n).filter { kept[$0] }.sorted { a, b in
            let ta = state[a].firstMillis
            let tb = state[b].firstMillis
            return ta != tb ? ta < tb : users[a].compare(users[b]) < 0
        }
        // Accounts in the order of their first user, each holding its users by first event. Flat arrays
        // only: a million accounts would otherwise leave a million small arrays in the heap.
        var accountSlot = [Int32](repeating: -1, count: accounts.count)
        var slotOf = [Int32](repeating: 0, count: n)
        var accountIDs: [String] = []
        var accountFirstEvent: [Int64] = []
        for u in byFirstEvent {
            let a = accountOf[u]
            if a >= 0 && accountSlot[a] >= 0 {
                slotOf[u] = accountSlot[a]
                continue
            }
            slotOf[u] = Int32(accountIDs.count)
            if a >= 0 { accountSlot[a] = slotOf[u] }
            accountIDs.append(a < 0 ? users.string(u) : accounts.string(a))
            accountFirstEvent.append(state[u].firstMillis)
        }
        let keptCount = byFirstEvent.count
        var slotStart = [Int](repeating: 0, count: accountIDs.count + 1)
        for u in byFirstEvent { slotStart[Int(slotOf[u]) + 1] += 1 }
        for a in 0..<accountIDs.count { slotStart[a + 1] += slotStart[a] }
        var order = [Int](repeating: 0, count: keptCount)
        for u in byFirstEvent {
            order[slotStart[Int(slotOf[u])]] = u
            slotStart[Int(slotOf[u])] += 1
        }

        let days = Int(lastDay - firstDay + 1)
        var userIDs: [String] = []
        userIDs.reserveCapacity(keptCount)
        let accountColumn = Column<Int32>(repeating: 0, count: keptCount)
        let signupColumn = Column<Int32>(repeating: 0, count: keptCount)
        let early = Column<UInt16>(repeating: 0, count: keptCount)
        let earlyPlan = Column<Int16>(repeating: -1, count: keptCount)
        let placement = Column<UInt64>(repeating: LoadSink.otherShard, count: n)
        var finalIndex = ContiguousArray<Int32>(repeating: -1, count: n)
        var several = 0
        for (next, u) in order.enumerated() {
            userIDs.append(users.string(u))
            accountColumn[next] = slotOf[u]
            let s = state[u]
            let signUp = s.signUpDay != Int64.max ? s.signUpDay : Timestamp.day(ofMillis: s.firstMillis)
            signupColumn[next] = Int32(clamping: signUp - firstDay)
            placement[u] = LoadSink.placement(user: next, signup: Int(signupColumn[next]), days: days)
            finalIndex[u] = Int32(next)
            early[next] = s.earlyMilestones
            earlyPlan[next] = s.earlyPlan
            if s.severalAccounts { several += 1 }
        }
        self.placement = placement
        locator = CellLocator(
            DayIndex(days: days, firstDay: firstDay, active: sink.activeDays, finalIndex: finalIndex, users: keptCount))
        activeUserDays = locator.index.cellCount
        rareEvents = sink.rareEvents
        earlyMilestones = early
        self.earlyPlan = earlyPlan

        let start = CivilDate(daysSinceEpoch: Int(firstDay))
        directory = PopulationDirectory(
            userCount: keptCount, account: accountColumn, signupDay: signupColumn, accountCount: accountIDs.count,
            featureNames: taxonomy.featureNames, milestoneNames: taxonomy.milestoneNames,
            planNames: taxonomy.source.plans, startDate: start, days: days)
        population = ImportedPopulation(
            userIDs: userIDs, accountIDs: accountIDs, accountFirstEvent: accountFirstEvent)
        var summary = summary
        summary.users = keptCount
        summary.accounts = accountIDs.count
        summary.usersWithSeveralAccounts = several
        summary.startDate = start
        summary.endDate = CivilDate(daysSinceEpoch: Int(lastDay))
        summary.days = days
        self.summary = summary
    }

    /// Pass 2: reads the files again and fills the cell of every (user, day) with a used event.
    ///
    /// - Throws: ``EventImportError/changedDuringImport(path:)`` when the files no longer give what pass 1
    ///   read, or the errors of reading a file.
    ///
    /// `progress` is called as the files are read with the bytes read so far and the files' total size.
    public func load(progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil) throws -> ImportedEventLog {
        let cells = UsageCells(
            index: locator.index, cells: Column(repeating: UsageCell(), count: activeUserDays),
            rare: RareCells(events: rareEvents),
            revenue: taxonomy.source.revenue.isEmpty ? nil : Column(repeating: 0, count: activeUserDays),
            premium: taxonomy.source.premiumAttempts.isEmpty ? nil : Column(repeating: 0, count: activeUserDays))
        let scratch = Scratch(capacity: 2 * (EventLogImporter.maxLineBytes + (1 << 20)) + 64)
        let interpreter = EventInterpreter(taxonomy: taxonomy, aliases: aliases, scratch: scratch)
        interpreter.firstDay = firstDay
        interpreter.lastDay = firstDay + Int64(days) - 1
        var sink = LoadSink(
            interpreter: interpreter, users: users, placement: placement, locator: locator, firstDay: firstDay,
            cells: cells)
        _ = try EventLogImporter.readAll(
            importer.files, formats, parts: importer.parts, splitOffset: importer.splitOffset, scratch: scratch,
            into: &sink, progress: progress)
        if let path = sink.changedFile ?? (sink.used != usedInPass1 ? importer.files.last : nil) {
            throw EventImportError.changedDuringImport(path: path)
        }
        var summary = self.summary
        summary.eventsBeforeSignUp = sink.beforeSignUp
        summary.eventsOfOtherShards = sink.otherShards
        summary.eventsUsed = sink.used - sink.otherShards
        summary.reattributed = sink.reattributed
        return ImportedEventLog(
            directory: directory, population: population, summary: summary, cells: cells,
            earlyMilestones: earlyMilestones, earlyPlan: earlyPlan)
    }
}

/// Pass 2: each used event into its cell. Every update is a sum, a union or a maximum, so the order of
/// lines does not matter.
struct LoadSink: SplittableSink {
    let interpreter: EventInterpreter
    let users: ByteInterner
    /// By pass 1's numbering, `final index << 16 | sign-up day + 1`, the sign-up day clamped to -1 ... days
    /// (pass 2 only compares it with days of the replay): one read finds both.
    let placement: Column<UInt64>
    let locator: CellLocator
    let firstDay: Int64
    let cells: UsageCells
    /// The placement of a user another shard imports.
    static let otherShard = UInt64.max
    var used = 0
    var otherShards = 0
    var reattributed = 0
    var beforeSignUp = 0
    /// The file where pass 2 met an event pass 1 did not see (a new user, or a new day of a user).
    var changedFile: String?
    fileprivate var file = ""
    private var out: Interpreted

    init(
        interpreter: EventInterpreter, users: ByteInterner, placement: Column<UInt64>, locator: CellLocator,
        firstDay: Int64, cells: UsageCells
    ) {
        self.interpreter = interpreter
        self.users = users
        self.placement = placement
        self.locator = locator
        self.firstDay = firstDay
        self.cells = cells
        out = Interpreted(empty: interpreter.scratch.base)
    }

    static func placement(user: Int, signup: Int, days: Int) -> UInt64 {
        UInt64(user) << 16 | UInt64(min(max(signup, -1), days) + 1)
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
        let scanned = users.find(out.user)
        guard scanned >= 0 else { return changed() }
        used += 1
        let place = placement.baseAddress[scanned]
        guard place != LoadSink.otherShard else {
            otherShards += 1
            return
        }
        if out.userWasAlias { reattributed += 1 }
        let d = Int(out.day - firstDay)
        let cell = locator.cell(user: Int(truncatingIfNeeded: place >> 16), day: d)
        guard cell >= 0 else { return changed() }
        let signup = Int(place & 0xFFFF) - 1
        if d < signup { beforeSignUp += 1 }
        let e = out.effect
        let c = cells.cells.baseAddress + cell
        if e.session && c.pointee.sessions < UInt16.max { c.pointee.sessions += 1 }
        if e.keyAction && c.pointee.keyActions < UInt16.max { c.pointee.keyActions += 1 }
        c.pointee.features |= e.features
        c.pointee.milestones |= e.milestones
        if e.capReached { c.pointee.flags |= UsageCell.capReached }
        if e.premium != 0, let premium = cells.premium { premium.baseAddress[cell] |= e.premium }
        if e.nps >= 0 || e.commerce != .none { rare(e, cell: cell, isSignupDay: d == signup) }
        if e.hasRevenue, let revenue = cells.revenue {
            revenue.baseAddress[cell] = UsageCells.revenue(revenue.baseAddress[cell], plus: e.revenue)
        }
    }

    private mutating func changed() {
        if changedFile == nil { changedFile = file }
    }

    /// The NPS answer and billing event of an event into the rare table: each keeps the day's last.
    private mutating func rare(_ e: Effect, cell: Int, isSignupDay: Bool) {
        let slot = cells.rare.insert(cell: cell)
        guard slot >= 0 else { return changed() }
        cells.cells.baseAddress[cell].flags |= UsageCell.hasRare
        let entry = cells.rare.entries.baseAddress + slot
        let time = UInt32(out.millis - out.day * Timestamp.msPerDay) + 1
        if e.nps >= 0 {
            entry.pointee.nps = max(entry.pointee.nps, time << 4 | UInt32(e.nps))
        }
        guard e.commerce != .none else { return }
        let code: CommerceEvent
        switch e.commerce {
        case .trialStarted: code = .trialStarted
        case .subscriptionStarted: code = isSignupDay ? .subscribed : .converted
        case .trialEnded: code = .trialExpired
        case .planChanged: code = e.up ? .upgraded : .downgraded
        case .cancelled: code = .cancelled
        case .none: code = .none
        }
        entry.pointee.commerce = max(entry.pointee.commerce, time << 3 | UInt32(code.rawValue))
        if e.plan >= 0 {
            entry.pointee.plan = max(entry.pointee.plan, time << 5 | UInt32(e.plan + 1))
        }
    }
}

extension LoadSink {
    func partner(scratch: Scratch) -> LoadSink {
        var partner = LoadSink(
            interpreter: interpreter.copy(scratch: scratch), users: users, placement: placement, locator: locator,
            firstDay: firstDay, cells: cells.emptyCopy())
        partner.file = file
        return partner
    }

    func canAbsorb(_ later: LoadSink) -> Bool { true }

    mutating func absorb(_ later: LoadSink, lineOffset: Int) {
        used += later.used
        otherShards += later.otherShards
        reattributed += later.reattributed
        beforeSignUp += later.beforeSignUp
        if changedFile == nil { changedFile = later.changedFile }
        if !cells.absorb(later.cells) { changed() }
    }
}
