#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes inside a buffer the importer owns: a field, a name or a decoded string.
///
/// Parsing hands out spans instead of `String`s so that reading an event allocates nothing; a span is valid
/// until the next record is read.
struct ByteSpan {
    var base: UnsafePointer<UInt8>
    var count: Int

    @inline(__always)
    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    @inline(__always)
    var isEmpty: Bool { count == 0 }

    @inline(__always)
    subscript(i: Int) -> UInt8 { base[i] }

    /// Inline for the short ids and names of event logs, where a call to `memcmp` costs more than the work.
    @inline(__always)
    func equals(_ other: ByteSpan) -> Bool {
        guard count == other.count else { return false }
        let a = UnsafeRawPointer(base)
        let b = UnsafeRawPointer(other.base)
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        while i < count {
            if base[i] != other.base[i] { return false }
            i += 1
        }
        return true
    }

    @inline(__always)
    func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && memcmp(base, text.utf8Start, count) == 0
    }

    /// Lexicographic byte order, for tie-breaks that must not depend on the order of lines.
    func compare(_ other: ByteSpan) -> Int {
        let n = min(count, other.count)
        if n > 0 {
            let c = memcmp(base, other.base, n)
            if c != 0 { return Int(c) }
        }
        return count - other.count
    }

    func string() -> String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    /// The text for a message: at most `limit` bytes, control characters shown as `?`.
    func quoted(limit: Int = 40) -> String {
        var bytes = Array(UnsafeBufferPointer(start: base, count: min(count, limit)))
        for i in bytes.indices where bytes[i] < 0x20 || bytes[i] == 0x7F { bytes[i] = UInt8(ascii: "?") }
        var text = String(decoding: bytes, as: UTF8.self)
        if count > limit { text += "…" }
        return text
    }
}

/// Owned bytes that never move: the taxonomy's names and values, compared against spans on the hot path.
final class StableBytes {
    let span: ByteSpan
    let text: String

    init(_ text: String) {
        let utf8 = Array(text.utf8)
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: max(utf8.count, 1))
        base.initialize(from: utf8, count: utf8.count)
        span = ByteSpan(base: base, count: utf8.count)
        self.text = text
    }

    deinit {
        UnsafeMutablePointer(mutating: span.base).deallocate()
    }
}

/// Room for decoded strings and unquoted fields of one record, reset before each record.
///
/// Its capacity is twice the largest record plus slack: a record decodes to no more bytes than it holds,
/// and a property value decoded from a decoded field adds at most as much again. It never grows, so spans
/// into it stay valid while the record is processed.
final class Scratch {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    @exclusivity(unchecked) var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
    }

    @inline(__always)
    func reset() { used = 0 }

    @inline(__always)
    func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        precondition(used + n <= capacity, "scratch overflow")
        if n > 0 { (base + used).update(from: p, count: n) }
        used += n
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        precondition(used < capacity, "scratch overflow")
        base[used] = byte
        used += 1
    }

    @inline(__always)
    func span(from start: Int) -> ByteSpan {
        ByteSpan(base: base + start, count: used - start)
    }
}
