import Stats
import UsageModel

/// Formats events into bytes: everything fixed per run is rendered once into ``arena`` and copied,
/// and the numbers of each line are written digit by digit, so a line costs no allocation.
///
/// A CSV line is `user , account PART_A timestamp , received PART_B` with
/// `PART_A = ",event,"` and `PART_B = ",properties\n"`; a JSONL line is
/// `PART_A user ","groupId":" account ","timestamp":" time ","receivedAt":" time ","messageId":" id PART_B`
/// with `PART_A = {"type":"track","event":"name","userId":"` and `PART_B = ","properties":{…}}\n`.
final class EventEncoder {
    let format: EventLogFormat
    /// An upper bound of any line's length, so the output buffer is checked once per line.
    let maxLineLength: Int
    private let templateCount: Int
    /// Per template: offset and length of part A, then of part B, in ``arena``.
    private let parts: UnsafeMutablePointer<Int>
    private let arena: UnsafeMutablePointer<UInt8>
    /// `YYYY-MM-DD` of each simulated day, 10 bytes each.
    private let dates: UnsafeMutablePointer<UInt8>
    private let dayCount: Int
    /// Account of each user; the directory's column, checked to have an entry per user.
    private let account: UnsafeMutablePointer<Int32>
    /// Keeps ``account``'s storage alive.
    private let accountColumn: Column<Int32>
    private let messageKeys: (UInt64, UInt64, UInt64, UInt64)

    static let csvHeader = "user_id,account_id,event,timestamp,received_at,properties\n"

    init(format: EventLogFormat, directory: PopulationDirectory, layout: TemplateLayout, seed: UInt64) {
        self.format = format
        templateCount = layout.count
        var text = [UInt8]()
        var offsets = [Int]()
        var longest = 0
        for t in 0..<layout.count {
            let d = layout.definition(t, directory: directory)
            let properties = JSONText.object(d.properties)
            let a: String
            let b: String
            switch format {
            case .csv:
                a = "," + CSVText.field(d.name) + ","
                b = "," + CSVText.field(properties) + "\n"
            case .jsonl:
                a = "{\"type\":\"track\",\"event\":" + JSONText.string(d.name) + ",\"userId\":\""
                b = "\",\"properties\":" + properties + "}\n"
            }
            offsets += [text.count, a.utf8.count]
            text += a.utf8
            offsets += [text.count, b.utf8.count]
            text += b.utf8
            longest = max(longest, a.utf8.count + b.utf8.count)
        }
        arena = .allocate(capacity: max(text.count, 1))
        arena.initialize(from: text, count: text.count)
        parts = .allocate(capacity: max(offsets.count, 1))
        parts.initialize(from: offsets, count: offsets.count)

        dayCount = directory.days
        dates = .allocate(capacity: max(dayCount, 1) * 10)
        for d in 0..<dayCount {
            let date = Array(directory.startDate.adding(days: d).description.utf8)
            precondition(date.count == 10, "dates before year 0 or after 9999 cannot be written")
            (dates + d * 10).initialize(from: date, count: 10)
        }
        accountColumn = directory.account
        account = directory.account.baseAddress
        // Ids (at most 20 digits and a prefix each), two times, a message id and the JSON keys.
        maxLineLength = longest + 3 * 21 + 2 * 24 + 36 + 64
        messageKeys = (
            StreamKey.derive(seed, StreamPurpose.messageIDs, 0, 0),
            StreamKey.derive(seed, StreamPurpose.messageIDs, 1, 0),
            StreamKey.derive(seed, StreamPurpose.messageIDs, 2, 0),
            StreamKey.derive(seed, StreamPurpose.messageIDs, 3, 0)
        )
    }

    deinit {
        arena.deallocate()
        parts.deallocate()
        dates.deallocate()
    }

    /// Writes the line of `e` at `p` (room for ``maxLineLength`` bytes) and returns its length.
    @inline(__always)
    func encode(_ e: LogEvent, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let t = Int(e.template) * 4
        let user = Int(e.user)
        let idPrefix: UInt8 = e.flags & LogEvent.duplicateFlag != 0 ? UInt8(ascii: "d") : UInt8(ascii: "u")
        var n = 0
        switch format {
        case .csv:
            p[0] = idPrefix
            n = 1 + Self.decimal(user + 1, minWidth: 7, to: p + 1)
            p[n] = UInt8(ascii: ",")
            p[n + 1] = UInt8(ascii: "a")
            n += 2 + Self.decimal(Int(account[user]) + 1, minWidth: 6, to: p + n + 2)
            n += copy(parts[t], parts[t + 1], to: p + n)
            writeCSVTimes(e, to: p + n)
            n += 49
            n += copy(parts[t + 2], parts[t + 3], to: p + n)
        case .jsonl:
            n = copy(parts[t], parts[t + 1], to: p)
            p[n] = idPrefix
            n += 1 + Self.decimal(user + 1, minWidth: 7, to: p + n + 1)
            n += Self.literal("\",\"groupId\":\"a", to: p + n)
            n += Self.decimal(Int(account[user]) + 1, minWidth: 6, to: p + n)
            n += Self.literal("\",\"timestamp\":\"", to: p + n)
            let timestamp = p + n
            writeTime(e.timestamp, to: timestamp)
            n += 24
            n += Self.literal("\",\"receivedAt\":\"", to: p + n)
            if e.received == e.timestamp {
                (p + n).update(from: timestamp, count: 24)
            } else {
                writeTime(e.received, to: p + n)
            }
            n += 24
            n += Self.literal("\",\"messageId\":\"", to: p + n)
            n += messageID(e, to: p + n)
            n += copy(parts[t + 2], parts[t + 3], to: p + n)
        }
        return n
    }

    /// The file's first bytes: the CSV header, or nothing for JSONL.
    var header: [UInt8] { format == .csv ? Array(Self.csvHeader.utf8) : [] }

    @inline(__always)
    private func copy(_ offset: Int, _ count: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        p.update(from: arena + offset, count: count)
        return count
    }

    @inline(__always)
    private static func literal(_ s: StaticString, to p: UnsafeMutablePointer<UInt8>) -> Int {
        p.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }

    /// Writes `v` in decimal, zero-padded to `minWidth`, and returns the number of digits.
    @inline(__always)
    static func decimal(_ v: Int, minWidth: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1
        var rest = v / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let width = max(digits, minWidth)
        var x = v
        var i = width - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: 48 + x % 10)
            x /= 10
            i -= 1
        }
        return width
    }

    /// `timestamp,received_at` as two `YYYY-MM-DDTHH:MM:SS.mmmZ` fields (49 bytes).
    @inline(__always)
    private func writeCSVTimes(_ e: LogEvent, to p: UnsafeMutablePointer<UInt8>) {
        writeTime(e.timestamp, to: p)
        p[24] = UInt8(ascii: ",")
        if e.received == e.timestamp {
            (p + 25).update(from: p, count: 24)
        } else {
            writeTime(e.received, to: p + 25)
        }
    }

    @inline(__always)
    private func writeTime(_ ms: Int64, to p: UnsafeMutablePointer<UInt8>) {
        let day = Int(ms / Millis.day)
        precondition(day >= 0 && day < dayCount, "event time outside the simulated days")
        var r = Int(ms - Int64(day) * Millis.day)
        p.update(from: dates + day * 10, count: 10)
        p[10] = UInt8(ascii: "T")
        let hours = r / 3_600_000
        r -= hours * 3_600_000
        let minutes = r / 60_000
        r -= minutes * 60_000
        let seconds = r / 1000
        let millis = r - seconds * 1000
        Self.twoDigits(hours, p + 11)
        p[13] = UInt8(ascii: ":")
        Self.twoDigits(minutes, p + 14)
        p[16] = UInt8(ascii: ":")
        Self.twoDigits(seconds, p + 17)
        p[19] = UInt8(ascii: ".")
        p[20] = UInt8(truncatingIfNeeded: 48 + millis / 100)
        Self.twoDigits(millis % 100, p + 21)
        p[23] = UInt8(ascii: "Z")
    }

    @inline(__always)
    private static func twoDigits(_ v: Int, _ p: UnsafeMutablePointer<UInt8>) {
        p[0] = UInt8(truncatingIfNeeded: 48 + v / 10)
        p[1] = UInt8(truncatingIfNeeded: 48 + v % 10)
    }

    /// A 128-bit id shaped like a UUID (`8-4-4-4-12` lowercase hex): four Feistel rounds, with
    /// SplitMix64's finaliser as round function, over (user, day << 32 | seq). A Feistel network is
    /// a permutation, so distinct events get distinct ids, yet an id reveals neither the user nor
    /// the order, as a real pipeline's would not.
    @inline(__always)
    private func messageID(_ e: LogEvent, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var left = UInt64(UInt32(bitPattern: e.user))
        var right = UInt64(UInt32(bitPattern: e.day)) << 32 | UInt64(e.seq)
        (left, right) = (right, left ^ SplitMix64.mix(right ^ messageKeys.0))
        (left, right) = (right, left ^ SplitMix64.mix(right ^ messageKeys.1))
        (left, right) = (right, left ^ SplitMix64.mix(right ^ messageKeys.2))
        (left, right) = (right, left ^ SplitMix64.mix(right ^ messageKeys.3))
        Self.hex(left >> 32, digits: 8, p)
        p[8] = UInt8(ascii: "-")
        Self.hex(left >> 16, digits: 4, p + 9)
        p[13] = UInt8(ascii: "-")
        Self.hex(left, digits: 4, p + 14)
        p[18] = UInt8(ascii: "-")
        Self.hex(right >> 48, digits: 4, p + 19)
        p[23] = UInt8(ascii: "-")
        Self.hex(right, digits: 12, p + 24)
        return 36
    }

    /// The low `digits` hex digits of `v`.
    @inline(__always)
    private static func hex(_ v: UInt64, digits: Int, _ p: UnsafeMutablePointer<UInt8>) {
        var x = v
        var i = digits - 1
        while i >= 0 {
            let nibble = UInt8(truncatingIfNeeded: x & 0xF)
            p[i] = nibble < 10 ? 48 + nibble : 87 + nibble
            x >>= 4
            i -= 1
        }
    }
}
