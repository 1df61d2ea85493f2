#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Interns byte strings (user, account and event ids) to dense indices in order of insertion.
///
/// Open addressing over one arena of bytes: no `String` or allocation per lookup, a few per thousand
/// insertions. Memory grows with the number of distinct ids, never with the number of events.
///
/// A slot holds, beside the index, part of the hash, the id's length and its first eight bytes,
/// so finding an id of at most eight bytes (the commonest user and account ids) reads one slot
/// and nothing else, and a longer one reads the arena only when all of those already match: with
/// hundreds of thousands of users the table outgrows the caches, and every other memory read of
/// a lookup was a miss.
final class ByteInterner {
    @exclusivity(unchecked) private var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaUsed = 0
    @exclusivity(unchecked) private var offsets = ContiguousArray<Int>()
    @exclusivity(unchecked) private var lengths = ContiguousArray<Int32>()
    /// Two words a slot: `key(hash, length) | index + 1` (0 for an empty slot), then the id's
    /// first eight bytes (``prefix(_:)``).
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var mask: Int

    init(expected: Int = 1024) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        mask = size - 1
        slots = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * size)
        slots.initialize(repeating: 0, count: 2 * size)
        arenaCapacity = max(expected * 12, 256)
        arena = UnsafeMutablePointer<UInt8>.allocate(capacity: arenaCapacity)
    }

    deinit {
        slots.deallocate()
        arena.deallocate()
    }

    var count: Int { offsets.count }

    /// Bytes held, for memory estimates.
    var byteCount: Int { arenaCapacity + (mask + 1) * 16 + offsets.capacity * 12 }

    @inline(__always)
    static func hash(_ s: ByteSpan) -> UInt64 {
        let raw = UnsafeRawPointer(s.base)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: s.count)
        var i = 0
        while i + 8 <= s.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < s.count {
            tail |= UInt64(s.base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 32)
    }

    /// The index of `s`, or -1.
    @inline(__always)
    func find(_ s: ByteSpan) -> Int {
        find(s, hash: ByteInterner.hash(s))
    }

    /// The top 24 bits of the hash and the length (up to 255) in the upper half of a slot's first word.
    @inline(__always)
    static func key(_ hash: UInt64, count: Int) -> UInt64 {
        (hash & 0xFFFF_FF00_0000_0000) | UInt64(min(count, 255)) << 32
    }

    /// The first eight bytes of `s`, little-endian, zero-padded.
    @inline(__always)
    static func prefix(_ s: ByteSpan) -> UInt64 {
        if s.count >= 8 { return UnsafeRawPointer(s.base).loadUnaligned(as: UInt64.self) }
        var p: UInt64 = 0
        for i in 0..<s.count { p |= UInt64(s.base[i]) << UInt64(8 * i) }
        return p
    }

    @inline(__always)
    func find(_ s: ByteSpan, hash: UInt64) -> Int {
        let key = Self.key(hash, count: s.count)
        let prefix = Self.prefix(s)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[2 * slot]
            if entry == 0 { return -1 }
            if entry & 0xFFFF_FFFF_0000_0000 == key, slots[2 * slot + 1] == prefix {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                // Same length and same first eight bytes: equal when the length is at most eight.
                if s.count <= 8 || self[index].equals(s) { return index }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `s`, added when new.
    @inline(__always)
    func intern(_ s: ByteSpan) -> (index: Int, isNew: Bool) {
        let h = ByteInterner.hash(s)
        let found = find(s, hash: h)
        if found >= 0 { return (found, false) }
        return (insert(s, hash: h), true)
    }

    private func insert(_ s: ByteSpan, hash: UInt64) -> Int {
        if arenaUsed + s.count > arenaCapacity {
            var capacity = arenaCapacity * 2
            while arenaUsed + s.count > capacity { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: arena, count: arenaUsed)
            arena.deallocate()
            arena = grown
            arenaCapacity = capacity
        }
        (arena + arenaUsed).update(from: s.base, count: s.count)
        let index = offsets.count
        precondition(index < Int(UInt32.max) - 1, "too many distinct ids")
        offsets.append(arenaUsed)
        lengths.append(Int32(s.count))
        arenaUsed += s.count
        if (index + 1) * 2 > mask + 1 { grow() }
        place(hash: hash, index: index)
        return index
    }

    @inline(__always)
    private func place(hash: UInt64, index: Int) {
        let s = self[index]
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[2 * slot] != 0 { slot = (slot + 1) & mask }
        slots[2 * slot] = Self.key(hash, count: s.count) | UInt64(index + 1)
        slots[2 * slot + 1] = Self.prefix(s)
    }

    private func grow() {
        let size = (mask + 1) * 2
        slots.deallocate()
        slots = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * size)
        slots.initialize(repeating: 0, count: 2 * size)
        mask = size - 1
        for index in 0..<offsets.count { place(hash: ByteInterner.hash(self[index]), index: index) }
    }

    /// The bytes of entry `index`; valid until the next insertion.
    @inline(__always)
    subscript(index: Int) -> ByteSpan {
        ByteSpan(base: arena + offsets[index], count: Int(lengths[index]))
    }

    func string(_ index: Int) -> String { self[index].string() }
}
