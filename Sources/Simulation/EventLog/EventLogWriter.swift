import Stats
public import UsageModel

/// Writes the simulated population's observable behaviour as an event log in the shape Segment
/// and RudderStack export, so the importer and the segmentation engine can be tried on it.
///
/// Plug it into the day loop as a ``DayObserver``. It streams: each day's events are generated,
/// damaged by the configured ``DataQuality`` faults, ordered by arrival and written, and only late
/// events still in flight are kept. The log is written to ``temporaryPath`` and renamed onto
/// ``path`` by ``daysDidEnd()``; a failed or abandoned writer deletes it. The output depends
/// only on the seed and the usage columns. `docs/event-log-format.md` specifies the format.
public final class EventLogWriter: DayObserver {
    public let path: String
    public let format: EventLogFormat
    public let seed: UInt64
    public let dataQuality: DataQuality
    /// Counts so far; complete after ``daysDidEnd()``.
    public private(set) var stats = EventLogStats()

    private var file: PartialFile
    private var phase = Phase.created
    private var run: Run?
    private let counters = EventCounters()

    private enum Phase { case created, running, finished, failed }

    /// Bytes handed to `write(2)` at a time.
    static let chunkSize = 1 << 20

    /// Opens the temporary file; nothing appears under `path` until the run ends.
    ///
    /// - Parameters:
    ///   - seed: the scenario's seed; the writer's streams are derived from it apart from the
    ///     simulator's, so the same seed gives the same log.
    ///   - dataQuality: the faults to apply; all zero writes a faithful log.
    public init(path: String, format: EventLogFormat, seed: UInt64, dataQuality: DataQuality = .none) throws {
        try FaultInjector.validate(dataQuality)
        self.path = path
        self.format = format
        self.seed = seed
        self.dataQuality = dataQuality
        file = try PartialFile(finalPath: path)
    }

    /// Opens a log whose format is named by the path's extension (see ``EventLogFormat/inferred(fromPath:)``).
    public convenience init(path: String, seed: UInt64, dataQuality: DataQuality = .none) throws {
        guard let format = EventLogFormat.inferred(fromPath: path) else {
            throw EventLogError.unknownFormat(path: path)
        }
        try self.init(path: path, format: format, seed: seed, dataQuality: dataQuality)
    }

    deinit {
        if phase != .finished { file.discard() }
    }

    /// Where the log is being written until ``daysDidEnd()`` renames it onto ``path``.
    public var temporaryPath: String { file.temporaryPath }

    public func daysWillStart(_ population: PopulationDirectory) throws {
        guard phase == .created else {
            throw EventLogError.invalidInput("daysWillStart called on a writer that has already started")
        }
        do {
            try Self.validate(population)
            let layout = TemplateLayout(
                plans: population.planNames.count, features: min(population.featureNames.count, 32),
                milestones: min(population.milestoneNames.count, 16))
            let encoder = EventEncoder(format: format, directory: population, layout: layout, seed: seed)
            let output = OutputBuffer(capacity: Self.chunkSize + encoder.maxLineLength)
            let faults = FaultInjector(
                quality: dataQuality, seed: seed, horizon: Int64(population.days) * Millis.day)
            run = Run(
                userCount: population.userCount, days: population.days, encoder: encoder, output: output,
                synthesizer: EventSynthesizer(layout: layout), faults: faults)
            let header = encoder.header
            if !header.isEmpty {
                output.bytes.update(from: header, count: header.count)
                output.used = header.count
                stats.linesWritten = 1
                stats.bytesWritten = header.count
            }
            phase = .running
        } catch {
            fail()
            throw error
        }
    }

    public func dayDidEnd(_ usage: UsageDay) throws {
        guard phase == .running else {
            throw EventLogError.invalidInput("dayDidEnd(day \(usage.day)) outside a running simulation")
        }
        do {
            let (lines, bytes) = try run!.write(usage, seed: seed, file: file, counters: counters)
            stats.byKind = counters.snapshot()
            stats.linesWritten += lines
            stats.bytesWritten += bytes
        } catch {
            fail()
            throw error
        }
    }

    /// Counts the late events still in flight as beyond the horizon, writes what is buffered and
    /// renames the file onto ``path``.
    public func daysDidEnd() throws {
        guard phase == .running else {
            throw EventLogError.invalidInput("daysDidEnd without a running simulation")
        }
        do {
            for e in run!.pending.drain() {
                counters.add(Int(e.kind), EventCounters.lateBeyondHorizon)
            }
            stats.byKind = counters.snapshot()
            let output = run!.output
            try file.write(output.bytes, count: output.used)
            output.used = 0
            try file.commit()
            phase = .finished
            run = nil
        } catch {
            fail()
            throw error
        }
    }

    /// Deletes the temporary file; the writer accepts no more calls.
    private func fail() {
        phase = .failed
        run = nil
        file.discard()
    }

    private static func validate(_ p: PopulationDirectory) throws {
        // Ids and event streams are numbered from the whole population's user 0.
        guard p.firstUser == 0, p.firstAccount == 0 else {
            throw EventLogError.invalidInput("an event log is written for a whole population, not a block of one")
        }
        guard p.account.count == p.userCount else {
            throw EventLogError.invalidInput(
                "the directory has \(p.userCount) users but \(p.account.count) account entries")
        }
        if let bad = p.account.firstIndex(where: { $0 < 0 || Int($0) >= p.accountCount }) {
            let user = PopulationDirectory.userID(bad)
            throw EventLogError.invalidInput(
                "user \(user) belongs to account \(p.account[bad]), outside 0..<\(p.accountCount)")
        }
        guard p.days >= 0, p.userCount >= 0, p.userCount <= Int(Int32.max) else {
            throw EventLogError.invalidInput("\(p.userCount) users over \(p.days) days cannot be logged")
        }
        let last = p.startDate.adding(days: max(p.days - 1, 0))
        guard p.startDate.year >= 0, last.year <= 9999 else {
            throw EventLogError.invalidInput("dates \(p.startDate)…\(last) fall outside years 0000–9999")
        }
        guard p.planNames.count <= 256 else {
            throw EventLogError.invalidInput("\(p.planNames.count) plans; at most 256 fit the plan column")
        }
    }
}

/// The writer's output staging area: lines are formatted straight into it and it is written out in
/// chunks of ``EventLogWriter/chunkSize``.
final class OutputBuffer {
    let bytes: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
    }

    deinit { bytes.deallocate() }
}

/// What a running log needs from day to day.
private struct Run {
    let userCount: Int
    let days: Int
    let encoder: EventEncoder
    let output: OutputBuffer
    var synthesizer: EventSynthesizer
    let faults: FaultInjector
    var pending = PendingEvents()
    /// Events to write today, reused from day to day.
    var batch = ContiguousArray<LogEvent>()
    var sorter = ArrivalSorter()
    /// The first day not yet seen: days come in increasing order.
    var nextDay = 0

    init(
        userCount: Int, days: Int, encoder: EventEncoder, output: OutputBuffer, synthesizer: EventSynthesizer,
        faults: FaultInjector
    ) {
        self.userCount = userCount
        self.days = days
        self.encoder = encoder
        self.output = output
        self.synthesizer = synthesizer
        self.faults = faults
    }

    /// Generates, damages, orders and formats one day's events; returns the lines and bytes added.
    mutating func write(
        _ usage: UsageDay, seed: UInt64, file: PartialFile, counters: EventCounters
    ) throws -> (lines: Int, bytes: Int) {
        try checkOrder(usage)
        let columns = try DayColumns(usage, userCount: userCount)
        nextDay = usage.day + 1
        let dayStart = Int64(usage.day) * Millis.day
        let dayEnd = dayStart + Millis.day

        batch.removeAll(keepingCapacity: true)
        while let e = pending.popArriving(before: dayEnd) {
            batch.append(e)
        }
        for u in 0..<userCount where columns.signedUp[u] && !EventSynthesizer.isQuiet(columns, u) {
            var rng = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.events, UInt64(u), UInt64(usage.day)))
            let first = batch.count
            try synthesizer.append(user: u, usage: columns, to: &batch, rng: &rng)
            faults.apply(
                to: &batch, from: first, dayEnd: dayEnd, duplicated: faults.isDuplicated(u), rng: &rng,
                pending: &pending, counters: counters)
        }
        sorter.sort(&batch, dayStart: dayStart)

        let output = output
        let encoder = encoder
        let maxLine = encoder.maxLineLength
        var used = output.used
        var bytes = 0
        try batch.withUnsafeBufferPointer { events in
            for e in events {
                if used + maxLine > output.capacity {
                    try file.write(output.bytes, count: used)
                    used = 0
                }
                let length = encoder.encode(e, to: output.bytes + used)
                used += length
                bytes += length
                let kind = Int(e.kind)
                counters.add(kind, EventCounters.written)
                if e.flags & LogEvent.lateFlag != 0 { counters.add(kind, EventCounters.late) }
                if e.flags & LogEvent.duplicateFlag != 0 { counters.add(kind, EventCounters.duplicateID) }
            }
        }
        output.used = used
        return (batch.count, bytes)
    }

    /// Rejects a day out of order: pending late events would be written out of arrival order.
    private func checkOrder(_ usage: UsageDay) throws {
        guard usage.day >= nextDay, usage.day < days else {
            throw EventLogError.invalidInput(
                "day \(usage.day) arrived after day \(nextDay - 1) of \(days); days must increase within the run")
        }
    }
}
