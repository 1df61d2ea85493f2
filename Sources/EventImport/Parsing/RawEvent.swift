/// One event line as read, before the taxonomy gives it a meaning. Spans point into the reader's buffer or
/// the scratch buffer and are valid until the next line.
struct RawEvent {
    /// False for Segment calls other than `track` (`identify`, `page`, `group`, …).
    var isTrack = true
    var event: ByteSpan
    var user: ByteSpan
    var anonymous: ByteSpan
    var account: ByteSpan
    var timestamp: ByteSpan
    /// The properties object's JSON text; empty when the line has none.
    var properties: ByteSpan
    /// Whether the JSON syntax of ``properties`` was already checked (JSONL lines are checked whole).
    var propertiesChecked = false

    @inline(__always)
    init(empty base: UnsafePointer<UInt8>) {
        let none = ByteSpan(base: base, count: 0)
        event = none
        user = none
        anonymous = none
        account = none
        timestamp = none
        properties = none
    }
}

/// Receives the lines of a file as the format readers split them.
protocol EventSink {
    mutating func startFile(_ path: String)
    mutating func event(_ raw: inout RawEvent, line: Int) throws
    mutating func malformed(_ reason: MalformedReason, line: Int) throws
}

extension EventSink {
    mutating func startFile(_ path: String) {}
}

/// What one file held, line by line.
struct FileTally {
    var lines = 0
    var records = 0
    var blankLines = 0
    var bytes = 0
    /// Parts read at once and put together (``EventLogImporter/readFile(_:path:size:split:scratch:into:progress:)``).
    var parts = 1
}
