import Foundation
import Synchronization

/// A file's records read in order (``CSVReader/File``, ``JSONLReader/File``), which can stop at an offset and be
/// started at a later line of the file.
protocol RowReader: SendableMetatype {
    /// Reads what precedes the records of the file `reader` starts at (a byte-order mark, CSV's header).
    init(opening reader: LogFileReader, scratch: Scratch, maxRecord: Int) throws
    /// The records from where `reader` starts, the first byte of a line of the file that `header` opened; lines are
    /// numbered from 1 there.
    init(continuing reader: LogFileReader, header: Self, scratch: Scratch)
    /// The offset in the file of the next record.
    var position: Int { get }
    /// The line the next record starts on.
    var line: Int { get }
    /// Reads to the end of the file, or until the next record would start at or past the offset `stop`.
    mutating func readRows(until stop: Int?, into sink: inout some EventSink) throws
    func finished() -> FileTally
}

/// A pass's sink that can take the second part of a file on another thread and fold it in afterwards.
///
/// Every pass updates its state by counts, unions, minima and maxima, and numbers users in order of first
/// appearance; folding in the later part's sink, its users after the earlier part's, gives the state reading on
/// would have given.
protocol SplittableSink: EventSink, SendableMetatype {
    /// An empty sink for a later part of the same file, with its own interpreter over `scratch` and the rest
    /// shared, read only.
    func partner(scratch: Scratch) -> Self
    /// Whether folding in `later` gives exactly what reading on would: false when a limit of a tally was met in
    /// it, so that what it dropped depends on what came before.
    func canAbsorb(_ later: Self) -> Bool
    /// Folds in the sink of the part after this one's, whose line numbers count from line `lineOffset + 1` of the
    /// file.
    mutating func absorb(_ later: Self, lineOffset: Int)
}

extension EventLogImporter {
    /// Files at least this large are read as two parts at once when the import has two threads or more.
    static let splitMinimumBytes = 16 << 20

    /// Reads one file into `sink`, as two parts on two threads when `split` is an offset in it: the first part from
    /// the start, the second from the first line after `split`, at once.
    ///
    /// The second part's start is a line, not necessarily a record: a CSV record may hold line breaks in a quoted
    /// field, and a malformed line may make the first part skip past it. So the first part reads until a record
    /// would start at or past that line. If it stops exactly there, that line starts a record of the whole file and
    /// the second part read what reading on would have, so its sink is folded in; otherwise (or when the second part
    /// failed, or cannot be folded in) the first part reads on to the end and the second part's work is dropped.
    /// Either way the result is the same as one part's.
    static func readFile<File: RowReader, Sink: SplittableSink>(
        _: File.Type, path: String, size: Int, split: Int?, scratch: Scratch, into sink: inout Sink,
        progress: ((Int) -> Void)?
    ) throws -> FileTally {
        let reader = try LogFileReader(path: path, maxRecord: maxLineBytes)
        reader.onRead = progress
        var first = try File(opening: reader, scratch: scratch, maxRecord: maxLineBytes)
        guard let split, let boundary = try lineStart(after: max(split, first.position), path: path, size: size)
        else {
            try first.readRows(until: nil, into: &sink)
            return first.finished()
        }
        let secondScratch = Scratch(capacity: scratch.capacity)
        let second = SecondPart<File, Sink>(
            reader: try LogFileReader(path: path, maxRecord: maxLineBytes, from: boundary),
            sink: sink.partner(scratch: secondScratch))
        second.file = File(continuing: second.reader, header: first, scratch: secondScratch)
        if let progress {
            // The count between the readers, not the second part itself: a closure of its reader holding it would
            // keep the second part's sink alive after the file is read.
            let secondBytes = ReadBytes()
            second.reader.onRead = { secondBytes.value.store($0, ordering: .relaxed) }
            reader.onRead = { progress($0 + secondBytes.value.load(ordering: .relaxed)) }
        }
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) { second.read() }
        var failure: (any Error)?
        do {
            try first.readRows(until: boundary, into: &sink)
        } catch {
            failure = error
        }
        done.wait()
        if let failure { throw failure }
        reader.onRead = progress
        guard first.position == boundary, let file = second.file, second.failure == nil, sink.canAbsorb(second.sink)
        else {
            try first.readRows(until: nil, into: &sink)
            return first.finished()
        }
        var tally = first.finished()
        let later = file.finished()
        sink.absorb(second.sink, lineOffset: first.line - 1)
        tally.lines = first.line - 1 + later.lines
        tally.records += later.records
        tally.blankLines += later.blankLines
        tally.bytes = boundary + later.bytes
        tally.parts = 2
        return tally
    }

    /// The offset just past the first line feed at or after `offset`; nil when the file has none after it, or the
    /// line feed ends the file.
    private static func lineStart(after offset: Int, path: String, size: Int) throws -> Int? {
        let reader = try LogFileReader(path: path, maxRecord: maxLineBytes, from: offset)
        while true {
            if let k = reader.lineFeed(from: reader.start) {
                reader.start = k + 1
                return reader.position < size ? reader.position : nil
            }
            reader.start = reader.end
            guard try reader.refill() else { return nil }
        }
    }
}

/// The second part of a split file and what reading it gave, handed between the two threads: written by the
/// second thread only, and read by the first only after waiting for it.
private final class SecondPart<File: RowReader, Sink: SplittableSink>: @unchecked Sendable {
    let reader: LogFileReader
    var sink: Sink
    var file: File?
    var failure: (any Error)?

    init(reader: LogFileReader, sink: Sink) {
        self.reader = reader
        self.sink = sink
    }

    func read() {
        do {
            try file?.readRows(until: nil, into: &sink)
        } catch {
            failure = error
        }
    }
}

/// Bytes the second part's reader has read, told to the first part's progress.
private final class ReadBytes: Sendable {
    let value = Atomic<Int>(0)
}
